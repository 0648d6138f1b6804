from typing import NamedTuple
from urllib.parse import urlencode

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import Truncator

from companies.links import public_path
from issues.models import Issue

from . import timeline
from .extras import attach_content_extras, attach_extras
from .models import Company, Platform, Story, Topic
from .search import search as run_search
from .search import snippet_html
from .structured import story_jsonld

RELATED_LIMIT = 5
SEARCH_PER_PAGE = 20


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def render_story_page(request, story, *, preview=False, content=None):
    """Render a story in the public design; previews get a banner and are never cached.

    Queries: sources and tags (2), the issue (with its stored list of shown stories), related
    stories; the issue's published stories too when that list cannot place this one (a
    preview, or a scheduled story went public since it was stored). A preview of a revision
    passes its `content`: tags and sources come from there (3).
    """
    if content is None:
        attach_extras([story])
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
        "jsonld": None if preview else story_jsonld(story, canonical, request),
        "meta": {
            "title": story.headline,
            "description": Truncator(story.summary).chars(300),
            "og_type": "article",
            "published": story.published_at,
        },
    }
    response = render(request, "stories/story_detail.html", context)
    return _no_store(response) if preview else response


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


def _index_letter(company):
    first = company.name[:1].upper()
    return first if first.isalpha() and first.isascii() else "#"


def company_index(request):
    companies = Company.objects.public().order_by("name").with_published_counts()
    letters = timeline.group_consecutive(companies, _index_letter)
    return render(
        request,
        "stories/company_index.html",
        {
            "letters": letters,
            "canonical": request.build_absolute_uri(request.path),
            "meta": {
                "title": "Companies",
                "description": "Every company we follow, A to Z, with its number of stories.",
            },
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
    context.update(
        {
            "object": company,
            "kind": "company",
            "family": family,
            "direct": direct,
            "rolls_up": bool(family.platforms or family.children),
            "canonical": request.build_absolute_uri(request.path),
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
    context.update(
        {
            "object": platform,
            "kind": "platform",
            "canonical": request.build_absolute_uri(request.path),
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
