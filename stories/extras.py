"""Sources and tags (companies, platforms, topics) for a list of stories in two light queries.

Prefetching four relations through the ORM built thousands of model instances and related
managers per issue page and dominated its cost. Pages only print names and links, so they get
small read-only records instead:

    story.source_list    [Source(publisher, url)]
    story.company_list   [Tag(kind="company", name, slug, name_zh, url, weight)]
    story.platform_list  [Tag(...)]
    story.topic_list     [Tag(...)]

and, where a page prints bylines, `attach_authors` (one more query):

    story.author_list    [Author(name, slug, photo, photo_renditions)], in order

`chips(story)` picks and orders the few a story's chips show.
"""

import re

from django.db import connection

from companies.links import public_path

_TAGS_SQL = """
SELECT x.story_id, 0, c.id, c.name, c.slug, c.name_zh, c.live_story_count
  FROM stories_story_companies x JOIN companies_company c ON c.id = x.company_id
 WHERE x.story_id = ANY(%(ids)s)
UNION ALL
SELECT x.story_id, 1, p.id, p.name, p.slug, '', p.live_story_count
  FROM stories_story_platforms x JOIN companies_platform p ON p.id = x.platform_id
 WHERE x.story_id = ANY(%(ids)s)
UNION ALL
SELECT x.story_id, 2, t.id, t.name, t.slug, '', t.live_story_count
  FROM stories_story_topics x JOIN companies_topic t ON t.id = x.topic_id
 WHERE x.story_id = ANY(%(ids)s)
ORDER BY 1, 2, 4
"""
_SOURCES_SQL = """
SELECT story_id, publisher, url FROM stories_source
 WHERE story_id = ANY(%(ids)s) ORDER BY story_id, position, id
"""
_KINDS = ("company", "platform", "topic")
_URL_NAMES = ("company_detail", "platform_detail", "topic_detail")
_ATTRS = ("company_list", "platform_list", "topic_list")


class Tag:
    __slots__ = ("kind", "pk", "name", "slug", "name_zh", "url", "weight")

    def __init__(self, kind, pk, name, slug, name_zh, url, weight=0):
        self.kind = _KINDS[kind]
        self.pk = pk
        self.name = name
        self.slug = slug
        self.name_zh = name_zh
        self.url = url
        self.weight = weight  # how many live stories name it: the site's coverage of it

    def get_absolute_url(self):
        return self.url

    def __str__(self):
        return self.name


class SourceLink:
    __slots__ = ("publisher", "url")

    def __init__(self, publisher, url):
        self.publisher = publisher
        self.url = url


def attach_extras(stories, *, sources=True):
    """Give each story its source and tag lists: 2 queries (1 without sources), 0 if empty."""
    stories = list(stories)
    by_id = {}
    for story in stories:
        by_id[story.pk] = story
        story.company_list, story.platform_list, story.topic_list = [], [], []
        story.source_list = []
    if not by_id:
        return stories
    params = {"ids": list(by_id)}
    # One resolver look-up per kind, then plain string formatting per tag.
    prefixes = [public_path(name, "-").removesuffix("-/") for name in _URL_NAMES]
    with connection.cursor() as cursor:
        cursor.execute(_TAGS_SQL, params)
        for story_id, kind, pk, name, slug, name_zh, weight in cursor.fetchall():
            url = f"{prefixes[kind]}{slug}/"
            tag = Tag(kind, pk, name, slug, name_zh, url, weight)
            getattr(by_id[story_id], _ATTRS[kind]).append(tag)
        if sources:
            cursor.execute(_SOURCES_SQL, params)
            for story_id, publisher, url in cursor.fetchall():
                by_id[story_id].source_list.append(SourceLink(publisher, url))
    return stories


def attach_content_extras(story, content):
    """Give a preview copy the tag, source and author lists of a revision's content (4
    queries)."""
    from .models import Company, Platform, Topic

    tags = content.get("tags", {})
    for kind, (model, attr) in enumerate(
        ((Company, "companies"), (Platform, "platforms"), (Topic, "topics"))
    ):
        prefix = public_path(_URL_NAMES[kind], "-").removesuffix("-/")
        rows = model.objects.filter(pk__in=tags.get(attr, [])).order_by("name")
        setattr(
            story,
            _ATTRS[kind],
            [
                Tag(
                    kind,
                    row.pk,
                    row.name,
                    row.slug,
                    getattr(row, "name_zh", ""),
                    f"{prefix}{row.slug}/",
                    row.live_story_count,
                )
                for row in rows
            ],
        )
    story.source_list = [
        SourceLink(row.get("publisher", ""), row.get("url", ""))
        for row in content.get("children", {}).get("sources", [])
    ]
    story.author_list = content_authors(content)
    return story


_AUTHOR_COLUMNS = ("name", "slug", "photo", "photo_renditions")


def attach_authors(stories):
    """Give each story its `author_list`, in byline order: 1 query, 0 if empty."""
    from .models import Byline

    stories = list(stories)
    by_id = {}
    for story in stories:
        by_id[story.pk] = story
        story.author_list = []
    if not by_id:
        return stories
    bylines = (
        Byline.objects.filter(story_id__in=list(by_id))
        .select_related("author")
        .only("story_id", *(f"author__{name}" for name in _AUTHOR_COLUMNS))
        .order_by("story_id", "position", "pk")
    )
    for byline in bylines:
        by_id[byline.story_id].author_list.append(byline.author)
    return stories


def content_authors(content):
    """The authors a revision's content names, in byline order (1 query). Authors deleted since
    are left out."""
    from .models import Author

    ids = [row.get("author") for row in content.get("children", {}).get("bylines", [])]
    found = Author.objects.only(*_AUTHOR_COLUMNS).in_bulk([pk for pk in ids if pk is not None])
    return [found[pk] for pk in ids if pk in found]


# How many chips a story's block or card shows: enough for what it is about, few enough to read.
CHIP_LIMIT = 6
_NOT_LETTERS = re.compile(r"[\W_]+")


def _same_name(name):
    """ "Pinduoduo app", "pinduoduo" and "Pinduoduo" name the same thing on a chip."""
    return _NOT_LETTERS.sub("", name.casefold()).removesuffix("app") or name.casefold()


def chips(story, *, topics=True, limit=CHIP_LIMIT):
    """The tags a story's chips show (from attach_extras), most relevant first, at most `limit`.

    The companies the story is about come first, then its platforms, then its topics (unless
    `topics` is false: timeline cards leave them out). Within each kind, those its headline or
    summary names earliest come first, then those the site covers most. A platform named like
    a company already shown (Pinduoduo the app beside Pinduoduo the company) shows once.
    """
    text = f"{story.headline} {story.summary}".casefold()
    unnamed = len(text) + 1

    def relevance(tag):
        at = text.find(tag.name.casefold())
        return (at if at >= 0 else unnamed, -tag.weight, tag.name.casefold())

    groups = [story.company_list, story.platform_list]
    if topics:
        groups.append(story.topic_list)
    shown, names = [], set()
    for group in groups:
        for tag in sorted(group, key=relevance):
            name = _same_name(tag.name)
            if name not in names:
                names.add(name)
                shown.append(tag)
    return shown[:limit]
