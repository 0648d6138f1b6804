import html
import re

from django import template
from django.utils.html import strip_tags

register = template.Library()

_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|pre|tr)>|<br\s*/?>", re.IGNORECASE)
_LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)


@register.filter
def as_text(value, site_url=""):
    """Sanitized HTML (stories.markdown) as plain text for the email's text part: paragraphs
    kept apart, each link's address after its words (site-relative ones made absolute)."""

    def link(match):
        url = html.unescape(match[1])
        if url.startswith("/") and not url.startswith("//"):
            url = site_url + url
        return f"{match[2]} ({url})"

    value = _BLOCK_END.sub("\n\n", _LINK.sub(link, str(value)))
    text = html.unescape(strip_tags(value))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
