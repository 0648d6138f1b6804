from django.shortcuts import get_object_or_404, render

from digest_site.cache import public_page
from stories.extras import attach_extras
from stories.structured import issue_jsonld
from stories.timeline import paginate

from .models import Issue

ARCHIVE_PER_PAGE = 50


def render_issue_page(request, issue, *, preview=False, status=200):
    """Render an issue in the public design; previews get a banner and are never cached.

    `issue` must come from Issue.objects.for_issue_page(...): its prefetched entries decide
    which stories appear (published ones for readers, a wider set for previews).
    """
    entries = list(issue.entries.all())
    attach_extras([entry.story for entry in entries])
    canonical = request.build_absolute_uri(issue.get_absolute_url())
    response = render(
        request,
        "issues/issue_detail.html",
        {
            "issue": issue,
            "entries": entries,
            "preview": preview,
            "canonical": canonical,
            "jsonld": None if preview else issue_jsonld(issue, entries, canonical, request),
        },
        status=status,
    )
    if preview:
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


@public_page
def home(request):
    issue = Issue.objects.published().for_issue_page().order_by("-published_at", "-number").first()
    if issue is None:
        return render(request, "issues/no_issue.html")
    return render_issue_page(request, issue)


@public_page
def issue_detail(request, number):
    issue = get_object_or_404(Issue.objects.published().for_issue_page(), number=number)
    return render_issue_page(request, issue)


@public_page
def issue_archive(request):
    """Published issues, newest first, grouped by year: a count query and a page query."""
    page = paginate(
        request,
        Issue.objects.published().for_archive().order_by("-published_at", "-number"),
        ARCHIVE_PER_PAGE,
    )
    years = []
    for issue in page.object_list:
        year = issue.published_at.year
        if not years or years[-1][0] != year:
            years.append((year, []))
        years[-1][1].append(issue)
    return render(
        request,
        "issues/issue_archive.html",
        {"page": page, "years": years, "canonical": request.build_absolute_uri(request.path)},
    )
