from types import SimpleNamespace

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from stories.extras import attach_extras
from stories.fragments import render_block
from stories.models import Story
from stories.structured import issue_jsonld
from stories.timeline import group_consecutive, paginate

from .fragments import CONTENTS_FROM, reader_entries, render_contents, shown
from .models import Issue

ARCHIVE_PER_PAGE = 50


def render_issue_page(request, issue, *, preview=False, status=200, entries=None):
    """Render an issue in the public design, its stories assembled now (previews get a banner
    and are never cached; readers normally get the stored stories, see reader_issue_page).

    `issue` comes from Issue.objects.for_issue_page(...), whose prefetched entries decide which
    stories appear (published ones for readers, a wider set for previews), unless `entries`
    (objects with a `.story`, in print order) is given. A preview renders each story's block
    live from the rows it shows (2 queries: sources and tags).
    """
    if entries is None:
        entries = list(issue.entries.all())
    if preview:
        for story in attach_extras([entry.story for entry in entries]):
            story.block_html = render_block(story)
    return _render(
        request,
        issue,
        render_contents(issue, entries),
        shown(entries),
        preview=preview,
        status=status,
    )


def _render(request, issue, contents_html, stories_shown, *, preview=False, status=200):
    canonical = request.build_absolute_uri(issue.get_absolute_url())
    response = render(
        request,
        "issues/issue_detail.html",
        {
            "issue": issue,
            "contents_html": contents_html,
            "preview": preview,
            "canonical": canonical,
            "jsonld": None if preview else issue_jsonld(issue, stories_shown, canonical, request),
            "meta": {
                "title": f"Issue #{issue.number}: {issue.title}",
                "description": "; ".join(headline for headline, _ in stories_shown[:3]),
            },
        },
        status=status,
    )
    if preview:
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def render_issue_preview(request, issue):
    """The issue as its newest revision reads: its text and its stories in that order, whatever
    their state (previews are for the editorial team and share-link holders only)."""
    from editorial import revisions

    content = revisions.content_of(issue)
    rows = content.get("children", {}).get("entries", [])
    stories = Story.objects.for_issue_preview().in_bulk([row["story"] for row in rows])
    entries = [
        SimpleNamespace(position=row["position"], story=stories[row["story"]])
        for row in rows
        if row["story"] in stories
    ]
    return render_issue_page(request, revisions.working_copy(issue), preview=True, entries=entries)


def reader_issue_page(request, issue, now):
    """A reader's issue page: no query beyond the issue's own (by the caller) while its stored
    contents are valid (issues.fragments); two more (its text, its stories) when a scheduled
    story of the issue went public since they were stored."""
    if issue.stored_stories_valid(now):
        return _render(request, issue, issue.contents_html, issue.stories_shown)
    issue.refresh_from_db(fields=CONTENTS_FROM)
    return render_issue_page(request, issue, entries=reader_entries(issue, now))


def _reader_issues(now):
    return Issue.objects.published(now=now).for_reader_page(now)


def home(request):
    now = timezone.now()
    latest = _reader_issues(now).order_by("-published_at", "-number").first()
    if latest is None:
        return render(request, "issues/no_issue.html")
    return reader_issue_page(request, latest, now)


def issue_detail(request, number):
    now = timezone.now()
    # Numbers past PostgreSQL's integer range cannot exist; do not send them to the database.
    if number >= 2**31:
        raise Http404("No issue matches the given query.")
    issue = get_object_or_404(_reader_issues(now), number=number)
    return reader_issue_page(request, issue, now)


def issue_archive(request):
    """Published issues, newest first, grouped by year: a count query and a page query."""
    page = paginate(
        request,
        Issue.objects.published().for_archive().order_by("-published_at", "-number"),
        ARCHIVE_PER_PAGE,
    )
    for issue in page.object_list:
        issue.day = timezone.localtime(issue.published_at).date()
    years = group_consecutive(page.object_list, lambda issue: issue.day.year)
    return render(
        request,
        "issues/issue_archive.html",
        {
            "page": page,
            "years": years,
            "canonical": request.build_absolute_uri(request.path),
            "meta": {
                "title": "All issues" + (f" (page {page.number})" if page.number > 1 else ""),
            },
        },
    )
