"""Small template helpers for the public pages."""

import json
from datetime import date

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from stories.extras import chips
from stories.markdown import render_markdown

register = template.Library()

_constant = {}
_CONSTANT_MAX = 64


class ConstantNode(template.Node):
    # {% extends %} walks the parent's nodes for blocks on every render; a constant part holds
    # none, so the walk need not enter it.
    child_nodelists = ()

    def __init__(self, name, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        if not context.get("NAV"):
            # Rendered without the site's context processor (an error page): nothing to keep.
            return self.nodelist.render(context)
        # Everything such markup may depend on: the URLconf's prefix, the language, and what it
        # prints of the site settings (SITE, read once per page-cache epoch: an admin's change
        # starts a new epoch in every process, and so a new frame).
        site = context.get("SITE")
        key = (
            self.name,
            get_script_prefix(),
            get_language(),
            site.frame_key if site is not None else None,
        )
        html = _constant.get(key)
        if html is None:
            if len(_constant) >= _CONSTANT_MAX:
                _constant.clear()  # frames of settings replaced since
            html = _constant[key] = self.nodelist.render(context)
        return html


@register.tag
def constant(parser, token):
    """`{% constant name %}…{% endconstant %}`: the frame every page repeats (masthead, footer,
    the head's feed and stylesheet links), rendered once per process and printed as stored
    afterwards (again when the site settings change). Only for markup that depends on the site
    settings and URLs alone; it cannot hold a {% block %}."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% constant %} takes one argument: a name.")
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    return ConstantNode(bits[1], nodelist)


@register.filter
def markdown(text):
    """Markdown written in the admin, as sanitized HTML (stories.markdown). For short texts
    printed inside {% constant %} (the site's footer): anything longer is rendered on save."""
    return mark_safe(render_markdown(text))


@register.filter
def story_chips(story):
    """The chips of a story's block: companies, platforms, topics (stories.extras.chips)."""
    return chips(story)


@register.filter
def card_chips(story):
    """The chips of a story's card: companies and platforms (stories.extras.chips)."""
    return chips(story, topics=False)


@register.filter
def jsonld(data):
    """A <script type="application/ld+json"> block; <, > and & are escaped inside the JSON so
    a headline cannot close the script element."""
    if not data:
        return ""
    text = (
        json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        .replace("&", "\\u0026")
        .replace("<", "\\u003C")
        .replace(">", "\\u003E")
    )
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


_HEAD_DEFAULTS = {
    "title": "",
    "description": "",
    "og_type": "website",
    "published": None,
    "noindex": False,
    "feed": "",
    "feed_title": "",
    "image": None,
}


@register.filter
def head_defaults(meta):
    """A page's `meta` with every key the head reads: a key missing from a dict costs the
    template engine a dir() of it on every lookup."""
    return {**_HEAD_DEFAULTS, **(meta or {})}


@register.filter
def plural(count, words):
    """`n|plural:"story,stories"` → "1 story" / "3 stories"."""
    one, many = words.split(",")
    return f"{count} {one if count == 1 else many}"


_months = {}


def _month_names():
    """Month names in the active language, looked up once per language (dateformat is slow)."""
    from django.utils.translation import get_language

    language = get_language()
    names = _months.get(language)
    if names is None:
        names = _months[language] = [""] + [
            date_format(date(2000, m, 1), "F") for m in range(1, 13)
        ]
    return names


_short_months = {}


@register.filter
def short_date(value):
    """12 Nov 2026 (the date filter's "j M Y", without parsing the format on every call)."""
    from django.utils.translation import get_language

    language = get_language()
    names = _short_months.get(language)
    if names is None:
        names = _short_months[language] = [""] + [
            date_format(date(2000, m, 1), "M") for m in range(1, 13)
        ]
    return f"{value.day} {names[value.month]} {value.year}"


@register.filter
def long_date(value):
    """12 November 2026"""
    return f"{value.day} {_month_names()[value.month]} {value.year}"


@register.filter
def month_name(value):
    """November 2026"""
    return f"{_month_names()[value.month]} {value.year}"


@register.filter
def month_id(value):
    return f"{value.year}-{value.month:02d}"


_charts = {}
_CHARTS_MAX = 2000


@register.simple_tag
def coverage_chart(chart):
    """The coverage chart (stories/blocks/coverage_chart.html) of `chart`, a dict from
    stories.timeline.coverage. Its 24 bars cost more to render than the rest of a timeline, and
    the markup is a function of the chart's figures alone: each process renders each distinct
    chart once and prints it again while the figures stay the same."""
    key = (get_language(), repr(chart))
    html = _charts.get(key)
    if html is None:
        if len(_charts) >= _CHARTS_MAX:
            _charts.clear()
        html = _charts[key] = render_to_string(
            "stories/blocks/coverage_chart.html", {"chart": chart}
        )
    return html


@register.filter
def day_month(value):
    """12 November"""
    return f"{value.day} {_month_names()[value.month]}"
