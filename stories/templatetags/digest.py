"""Small template helpers for the public pages."""

import json
from html import escape as html_escape

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def jsonld(data):
    """A <script type="application/ld+json"> block; <, > and & are escaped inside the JSON so
    a headline cannot close the script element."""
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(
        _json_script_escapes
    )
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


@register.filter
def plural(count, words):
    """`n|plural:"story,stories"` → "1 story" / "3 stories"."""
    one, many = words.split(",")
    return f"{count} {one if count == 1 else many}"


# --- Hot fragments rendered in Python ---------------------------------------------------------
# An issue page repeats the same story block eight times and a timeline thirty cards; through
# the template engine (includes, loops, filters) they cost more than everything else on the
# page together. The markup below is the same a template would produce; every value from the
# database goes through escape() unless it is the stored, sanitized Markdown HTML.


def _esc(value):
    return html_escape(str(value), quote=True)


def _chips(companies, platforms, topics):
    items = [
        f'<li><a class="chip chip-{tag.kind}" href="{_esc(tag.url)}">{_esc(tag.name)}</a></li>'
        for group in (companies, platforms, topics)
        for tag in group
    ]
    if not items:
        return ""
    return '<ul class="chips" aria-label="About">' + "".join(items) + "</ul>"


@register.filter
def chips(story, with_topics=True):
    """The company, platform (and topic) chips of a story that went through attach_extras."""
    topics = story.topic_list if with_topics else ()
    return mark_safe(_chips(story.company_list, story.platform_list, topics))


@register.filter
def story_card(story, level=4):
    """A timeline or search card: headline, date (and why it is there), summary or snippet."""
    url = _esc(story.get_absolute_url())
    via = getattr(story, "via", "")
    snippet = getattr(story, "snippet_html", "")
    text = (
        f'<p class="snippet">{snippet}</p>'
        if snippet
        else f'<p class="card-summary">{_esc(story.summary)}</p>'
    )
    return mark_safe(
        f'<li class="card">\n'
        f'  <h{level} class="card-headline"><a href="{url}">{_esc(story.headline)}</a></h{level}>\n'
        f'  <p class="meta"><time datetime="{story.event_date.isoformat()}">'
        f"{date_format(story.event_date, 'j F Y')}</time>"
        + (f' · <span class="via">{_esc(via)}</span>' if via else "")
        + "</p>\n  "
        + text
        + "\n  "
        + _chips(story.company_list, story.platform_list, ())
        + "\n</li>\n"
    )


@register.simple_tag
def issue_stories(entries):
    """The numbered stories of an issue, in print order (1..N among the stories shown)."""
    parts = ['<ol class="issue-stories">']
    for number, entry in enumerate(entries, start=1):
        story = entry.story
        parts.append(
            f'<li class="issue-story" id="story-{number}">'
            f'<article aria-labelledby="story-{number}-headline">'
            f'<h2 id="story-{number}-headline"><span class="story-number" aria-hidden="true">'
            f'{number}</span> <a href="{_esc(story.get_absolute_url())}">'
            f"{_esc(story.headline)}</a></h2>"
        )
        if story.summary:
            parts.append(f'<p class="dek">{_esc(story.summary)}</p>')
        parts.append(f'<div class="prose">{story.body_html}</div>')
        sources = story.source_list
        if sources:
            links = ", ".join(
                f'<a href="{_esc(s.url)}" rel="noopener nofollow">{_esc(s.publisher)}</a>'
                for s in sources
            )
            label = "Sources" if len(sources) > 1 else "Source"
            parts.append(f'<p class="sources">{label}: {links}</p>')
        parts.append(_chips(story.company_list, story.platform_list, story.topic_list))
        parts.append("</article></li>")
    parts.append("</ol>")
    return mark_safe("\n".join(parts))
