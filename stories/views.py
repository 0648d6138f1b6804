from typing import NamedTuple
from urllib.parse import urlencode

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import Truncator

from companies.links import public_path
from editorial import cards
from issues.models import Issue

from . import timeline
from .extras import attach_authors, attach_content_extras, attach_extras
from .models import Author, Company, Platform, Story, Topic
from .search import search as run_search
from .search import snippet_html
from .structured import company_jsonld, platform_jsonld, story_jsonld

RELATED_LIMIT = 5
SEARCH_PER_PAGE = 20


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def render_story_page(request, story, *, preview=False, content=None):
    """Render a story in the public design; previews get a banner and are never cached.

    Queries: sources and tags (2), authors (1), the issue (with its stored list of shown stories), related
    stories; the issue's published stories too when that list cannot place this one (a
    preview, or a scheduled story went public since it was stored). A preview of a revision
    passes its `content`: tags, sources and authors come from there (4).
    """
    if content is None:
        attach_authors(attach_extras([story]))
    else:
        attach_content_extras(story, content)
    now = timezone.now()
    # Only a published issue is named, even in a preview: a share link must not reveal drafts.
    issues = Issue.objects.published(now=now).filter(entries__story_id=story.pk)
    if preview:  # a draft is placed by its position: it is not among the published stories
        issues = issues.annotate(position=F("entries__position"))
    # A story runs in one issue at most (issuestory_story_once): no ordering needed.
    found = issues.only("number", "title", "stories_shown", "stories_until").order_by()[:1]
    ran_in = found[0] if found else None
    number = previous = following = None
    if ran_in is not None:
        number, previous, following = _place_in_issue(story, ran_in, now)
    companies = story.company_list
    related = []
    if companies:
        related = list(
            Story.objects.published()
            .about(company_ids=[c.pk for c in companies])
            .exclude(pk=story.pk)
            .only("headline", "slug", "event_date")
            .order_by("-event_date", "-pk")[:RELATED_LIMIT]
        )
    canonical = request.build_absolute_uri(story.get_absolute_url())
    story.correction_list = list(story.corrections.all()) if story.has_corrections else []
    context = {
        "story": story,
        "companies": companies,
        "ran_in": ran_in,
        "number": number,
        "previous": previous,
        "following": following,
        "related": related,
        "preview": preview,
        "canonical": canonical,
        "jsonld": None if preview else story_jsonld(story, canonical, request, issue=ran_in),
        "meta": {
            "title": story.headline,
            "description": Truncator(story.summary).chars(300),
            "og_type": "article",
            "published": story.published_at,
            "image": _story_image(request, story),
        },
    }
    response = render(request, "stories/story_detail.html", context)
    return _no_store(response) if preview else response


def _story_image(request, story):
    """og:image of a story page: its image, else its card; None (the site's card) for a
    draft without an image."""
    found = story.social_image()
    if found is None:
        return None
    return cards.og_image(request, found, story.image_alt if story.image else story.headline)


class _Neighbour(NamedTuple):
    """A story next to this one in its issue, from the issue's stored list."""

    headline: str
    path: str

    def get_absolute_url(self):
        return self.path


def _place_in_issue(story, ran_in, now):
    """(number, previous, following) of `story` among the stories its issue shows."""
    path = story.get_absolute_url()
    shown = ran_in.stories_shown if ran_in.stored_stories_valid(now) else []
    siblings = [_Neighbour(headline, url) for headline, url in shown]
    index = next((i for i, sibling in enumerate(siblings) if sibling.path == path), None)
    if index is None:
        siblings = list(
            Story.objects.published(now=now).in_issue(ran_in.pk).only("headline", "slug")
        )
        if all(sibling.pk != story.pk for sibling in siblings):  # a preview of a draft
            story.position = ran_in.position
            siblings = sorted([*siblings, story], key=lambda sibling: sibling.position)
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == story.pk)
    previous = siblings[index - 1] if index > 0 else None
    following = siblings[index + 1] if index + 1 < len(siblings) else None
    return index + 1, previous, following


def story_detail(request, slug):
    story = get_object_or_404(Story.objects.published().for_story_page(), slug=slug)
    return render_story_page(request, story)


def company_index(request):
    """Companies grouped under their parent, with their numbers of stories (2 queries)."""
    return render(
        request,
        "stories/company_index.html",
        {
            "groups": Company.index_families(),
            "canonical": request.build_absolute_uri(request.path),
            "meta": {
                "title": "Companies",
                "description": "Every company we cover, with its subsidiaries and its number "
                "of stories.",
            },
        },
    )


def platform_index(request):
    """Approved platforms with published stories, A to Z, with their owners and counts (2 queries)."""
    return _tag_index(
        request,
        Platform.objects.public().select_related("owner").order_by("name"),
        kind="platform",
        title="Platforms",
        description="Every platform we cover, with the company that runs it and its number "
        "of stories.",
    )


def topic_index(request):
    """Topics with published stories, A to Z, with their counts (2 queries)."""
    return _tag_index(
        request,
        Topic.objects.order_by("name"),
        kind="topic",
        title="Topics",
        description="Every topic we cover, with its number of stories.",
    )


def _tag_index(request, queryset, *, kind, title, description):
    return render(
        request,
        "stories/tag_index.html",
        {
            "rows": queryset.with_published_stories(),
            "kind": kind,
            "title": title,
            "canonical": request.build_absolute_uri(request.path),
            "meta": {"title": title, "description": description},
        },
    )


def _direct_only(request):
    return request.GET.get("direct") == "1"


def _timeline_meta(obj, page, description, feed=None):
    meta = {
        "title": obj.name + (f" (page {page.number})" if page.number > 1 else ""),
        "description": description,
    }
    if feed:
        meta.update(feed=feed, feed_title=obj.name)
    return meta


def company_detail(request, slug):
    company = get_object_or_404(Company.objects.public(), slug=slug)
    family = timeline.company_family(company)
    direct = _direct_only(request)
    context = timeline.timeline_context(
        request, timeline.family_stories(family, direct=direct), family=family
    )
    canonical = request.build_absolute_uri(request.path)
    context.update(
        {
            "object": company,
            "kind": "company",
            "family": family,
            "direct": direct,
            "rolls_up": bool(family.platforms or family.children),
            "canonical": canonical,
            "jsonld": company_jsonld(company, family, canonical, request),
            "feed_url": public_path("company_feed", company.slug),
            "meta": _timeline_meta(
                company,
                context["page"],
                f"Every story about {company.name}, its platforms and its subsidiaries.",
                public_path("company_feed", company.slug),
            ),
        }
    )
    return render(request, "stories/timeline.html", context)


def platform_detail(request, slug):
    platform = get_object_or_404(Platform.objects.public().select_related("owner"), slug=slug)
    context = timeline.timeline_context(
        request, Story.objects.published().about(platform_ids=[platform.pk])
    )
    canonical = request.build_absolute_uri(request.path)
    context.update(
        {
            "object": platform,
            "kind": "platform",
            "canonical": canonical,
            "jsonld": platform_jsonld(platform, canonical, request),
            "meta": _timeline_meta(
                platform, context["page"], f"Every story about {platform.name}."
            ),
        }
    )
    return render(request, "stories/timeline.html", context)


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    context = timeline.timeline_context(
        request, Story.objects.published().about(topic_ids=[topic.pk])
    )
    context.update(
        {
            "object": topic,
            "kind": "topic",
            "canonical": request.build_absolute_uri(request.path),
            "feed_url": public_path("topic_feed", topic.slug),
            "meta": _timeline_meta(
                topic,
                context["page"],
                f"Every story about {topic.name}.",
                public_path("topic_feed", topic.slug),
            ),
        }
    )
    return render(request, "stories/timeline.html", context)


def author_index(request):
    """Authors with at least one published story, A to Z (1 query)."""
    authors = list(
        Author.objects.with_published_stories().only("name", "slug", "photo", "photo_renditions")
    )
    return render(
        request,
        "stories/author_index.html",
        {
            "authors": authors,
            "canonical": request.build_absolute_uri(request.path),
            "meta": {
                "title": "Authors",
                "description": "Everyone who writes for us, with their stories.",
            },
        },
    )


def author_detail(request, slug):
    """An author's page: photo, bio, links and their published stories, newest event first,
    paginated like timelines (4 queries: the author, their links, a page of stories, their
    tags). An author with no published story has no page: it would only say that they exist."""
    author = get_object_or_404(Author.objects.defer("bio", "user", "updated_at"), slug=slug)
    stories = author.stories.published().order_by("-event_date", "-pk").for_timeline()
    page = timeline.paginate_uncounted(request, stories, timeline.PER_PAGE)
    if not page.object_list:
        raise Http404("No published stories by this author.")
    cards = attach_extras(page.object_list, sources=False)
    for story in cards:
        story.via = ""
    context = {
        "author": author,
        "links": list(author.links.all()),
        "page": page,
        "months": timeline.group_by_month(cards),
        "canonical": request.build_absolute_uri(request.path),
        "meta": {
            "title": author.name + (f" (page {page.number})" if page.number > 1 else ""),
            "description": f"Stories by {author.name}.",
        },
    }
    return render(request, "stories/author_detail.html", context)


def search(request):
    number = timeline.page_number(request)
    results = run_search(request.GET.get("q", ""), number, SEARCH_PER_PAGE)
    if results.page is None and number != 1:
        raise Http404("No such page.")
    if results.page is not None:
        for story in attach_extras(results.page.object_list, sources=False):
            story.snippet_html = snippet_html(story.snippet)
    response = render(
        request,
        "stories/search.html",
        {
            "results": results,
            "page": results.page,
            "query": results.query,
            "extra_query": urlencode({"q": results.query}),
            "meta": {
                "title": f"Search: {results.query}" if results.query else "Search",
                "noindex": True,
            },
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
