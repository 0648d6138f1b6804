"""Small template helpers for the public pages."""

import json
from datetime import date
from html import escape as html_escape

from django import template
from django.templatetags.static import static
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe

register = template.Library()


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
        f"{long_date(story.event_date)}</time>"
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
    toc = "".join(
        f'<li><a href="#story-{number}">{_esc(entry.story.headline)}</a></li>'
        for number, entry in enumerate(entries, start=1)
    )
    parts = [
        '<nav class="toc" aria-label="In this issue"><h2 class="toc-title">In this issue</h2>'
        f"<ol>{toc}</ol></nav>",
        '<ol class="issue-stories">',
    ]
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


_stylesheet = {}


def _stylesheet_url():
    # The hashed name never changes while a process runs; look it up once.
    if "url" not in _stylesheet:
        _stylesheet["url"] = static("css/site.css")
    return _stylesheet["url"]


@register.simple_tag(takes_context=True)
def head_meta(context):
    """<title>, description, canonical, Open Graph, Twitter and feed links from `meta`.

    Views put a `meta` dict (title, description, og_type, published) in the context; pages
    without one get the publication's name and tagline.
    """
    meta = context.get("meta") or {}
    site = context.get("SITE_NAME") or "Digest"
    title = meta.get("title") or ""
    description = meta.get("description") or context.get("SITE_TAGLINE") or ""
    canonical = context.get("canonical")
    nav = context.get("NAV") or {}
    e_site, e_title, e_desc = _esc(site), _esc(title or site), _esc(description)
    lines = [
        f"<title>{e_title + ' — ' + e_site if title else e_site}</title>",
        f'<meta name="description" content="{e_desc}">',
    ]
    if canonical:
        lines.append(f'<link rel="canonical" href="{_esc(canonical)}">')
    lines += [
        f'<meta property="og:site_name" content="{e_site}">',
        f'<meta property="og:title" content="{e_title}">',
        f'<meta property="og:description" content="{e_desc}">',
        f'<meta property="og:type" content="{_esc(meta.get("og_type") or "website")}">',
    ]
    if canonical:
        lines.append(f'<meta property="og:url" content="{_esc(canonical)}">')
    lines += [
        '<meta name="twitter:card" content="summary">',
        f'<meta name="twitter:title" content="{e_title}">',
        f'<meta name="twitter:description" content="{e_desc}">',
    ]
    if meta.get("published"):
        lines.append(
            f'<meta property="article:published_time" content="{meta["published"].isoformat()}">'
        )
    if context.get("preview") or meta.get("noindex"):
        lines.append('<meta name="robots" content="noindex">')
    if nav:
        lines += [
            f'<link rel="alternate" type="application/rss+xml" title="{e_site}: every issue (RSS)"'
            f' href="{_esc(nav["issues_feed"])}">',
            f'<link rel="alternate" type="application/atom+xml" title="{e_site}: every issue '
            f'(Atom)" href="{_esc(nav["issues_feed_atom"])}">',
        ]
    if meta.get("feed"):
        lines.append(
            f'<link rel="alternate" type="application/rss+xml" title="{e_site}: '
            f'{_esc(meta.get("feed_title", ""))}" href="{_esc(meta["feed"])}">'
        )
    lines.append(f'<link rel="stylesheet" href="{_esc(_stylesheet_url())}">')
    return mark_safe("\n  ".join(lines))


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


@register.filter
def coverage_chart(chart):
    """The coverage bar chart as inline SVG, with a caption and the same figures as a table."""
    names = _month_names()
    first = f"{names[chart['first'].month]} {chart['first'].year}"
    last = f"{names[chart['last'].month]} {chart['last'].year}"
    total = plural(chart["total"], "story,stories")
    bars, rows = [], []
    for bar in chart["bars"]:
        label = f"{names[bar['month'].month]} {bar['month'].year}"
        bars.append(
            f'<rect class="chart-bar" x="{bar["x"]}" y="{bar["y"]}" width="{bar["width"]}" '
            f'height="{bar["height"]}"><title>{label}: {bar["count"]}</title></rect>'
        )
        rows.append(f"<tr><td>{label}</td><td>{bar['count']}</td></tr>")
    width, height = chart["width"], chart["height"]
    return mark_safe(
        f'<figure><svg class="chart" role="img" aria-labelledby="chart-desc" '
        f'viewBox="0 -14 {width} {height + 30}" preserveAspectRatio="none" width="100%" '
        f'height="120"><desc id="chart-desc">Bar chart: {total} from {first} to {last}; the '
        f"busiest month had {chart['peak']}.</desc>"
        f'<line class="chart-axis" x1="0" y1="{height}" x2="{width}" y2="{height}"></line>'
        + "".join(bars)
        + f'<text class="chart-label" x="0" y="{height + 14}">{first[:3]} {chart["first"].year}'
        f'</text><text class="chart-label" x="{width}" y="{height + 14}" text-anchor="end">'
        f"{last[:3]} {chart['last'].year}</text></svg>"
        f"<figcaption>{total} from {first} to {last}.</figcaption></figure>\n"
        '<details class="chart-table"><summary>Stories per month as a table</summary><table>'
        '<caption class="visually-hidden">Stories per month</caption><thead><tr>'
        '<th scope="col">Month</th><th scope="col">Stories</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></details>"
    )


@register.filter
def day_month(value):
    """12 November"""
    return f"{value.day} {_month_names()[value.month]}"
