from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView

from .models import Issue


def render_issue_page(request, issue, *, preview=False, status=200):
    """Render an issue in the public design; previews get a banner and are never cached."""
    response = render(
        request,
        "issues/issue_detail.html",
        {"issue": issue, "entries": issue.entries.all(), "preview": preview},
        status=status,
    )
    if preview:
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


def home(request):
    issue = Issue.objects.published().for_issue_page().order_by("-published_at", "-number").first()
    if issue is None:
        return render(request, "issues/no_issue.html")
    return render_issue_page(request, issue)


def issue_detail(request, number):
    issue = get_object_or_404(Issue.objects.published().for_issue_page(), number=number)
    return render_issue_page(request, issue)


class IssueArchiveView(ListView):
    template_name = "issues/issue_archive.html"
    context_object_name = "issues"
    paginate_by = 50

    def get_queryset(self):
        return Issue.objects.published().order_by("-published_at", "-number")

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            raise Http404("No such page.") from None
