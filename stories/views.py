from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from digest_site.cache import public_page
from issues.models import Issue, IssueStory

from . import timeline
from .extras import attach_extras
from .links import public_path
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


def render_story_page(request, story, *, preview=False):
    """Render a story in the public design; previews get a banner and are never cached.

    Queries: sources and tags (2), the issue entry, its published siblings, related stories.
    """
    attach_extras([story])
    # Only a published issue is named, even in a preview: a share link must not reveal drafts.
    entry = (
        IssueStory.objects.filter(story=story, issue__in=Issue.objects.published().values("pk"))
        .select_related("issue")
        .only("position", "issue__number", "issue__title", "issue__published_at", "story_id")
        .first()
    )
    number = previous = following = None
    if entry is not None:
        allowed = Q(story__in=Story.objects.published().values("pk")) | Q(story=story)
        siblings = list(
            IssueStory.objects.filter(allowed, issue_id=entry.issue_id)
            .select_related("story")
            .only("position", "story__headline", "story__slug")
            .order_by("position")
        )
        index = next(i for i, sibling in enumerate(siblings) if sibling.story_id == story.pk)
        number = index + 1
        previous = siblings[index - 1].story if index > 0 else None
        following = siblings[index + 1].story if index + 1 < len(siblings) else None
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
    context = {
        "story": story,
        "companies": companies,
        "entry": entry,
        "number": number,
        "previous": previous,
        "following": following,
        "related": related,
        "preview": preview,
        "canonical": canonical,
        "jsonld": None if preview else story_jsonld(story, canonical, request),
    }
    response = render(request, "stories/story_detail.html", context)
    return _no_store(response) if preview else response


@public_page
def story_detail(request, slug):
    story = get_object_or_404(Story.objects.published().for_story_page(), slug=slug)
    return render_story_page(request, story)


@public_page
def company_index(request):
    companies = list(Company.objects.with_published_counts().order_by("name"))
    letters = []
    for company in companies:
        first = company.name[:1].upper()
        letter = first if first.isalpha() and first.isascii() else "#"
        if not letters or letters[-1][0] != letter:
            letters.append((letter, []))
        letters[-1][1].append(company)
    return render(
        request,
        "stories/company_index.html",
        {"letters": letters, "canonical": request.build_absolute_uri(request.path)},
    )


def _direct_only(request):
    return request.GET.get("direct") == "1"


@public_page
def company_detail(request, slug):
    company = get_object_or_404(Company, slug=slug)
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
        }
    )
    return render(request, "stories/timeline.html", context)


@public_page
def platform_detail(request, slug):
    platform = get_object_or_404(Platform.objects.select_related("owner"), slug=slug)
    context = timeline.timeline_context(
        request, Story.objects.published().about(platform_ids=[platform.pk])
    )
    context.update(
        {
            "object": platform,
            "kind": "platform",
            "canonical": request.build_absolute_uri(request.path),
        }
    )
    return render(request, "stories/timeline.html", context)


@public_page
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
        }
    )
    return render(request, "stories/timeline.html", context)


@public_page
def search(request):
    results = run_search(request.GET.get("q", ""))
    page = None
    if results.stories is not None:
        page = timeline.paginate(request, results.stories, SEARCH_PER_PAGE)
        for story in attach_extras(page.object_list, sources=False):
            story.snippet_html = snippet_html(story.snippet)
    elif request.GET.get("page") not in (None, "1"):
        raise Http404("No such page.")
    response = render(
        request,
        "stories/search.html",
        {
            "results": results,
            "page": page,
            "query": results.query,
            "extra_query": urlencode({"q": results.query}),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response
