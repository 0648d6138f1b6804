"""The editorial desk: one admin page with what needs each person's attention now."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from issues.models import Issue

from . import workflow
from .models import Status, Story
from .workflow import Action


def _desk(request):
    user = request.user
    # Staff without editorial rights must not see embargoed headlines or next week's plans.
    if not user.has_perm("stories.change_story"):
        raise PermissionDenied
    now = timezone.now()
    is_reviewer = workflow.can_publish(user, Story)
    my_drafts = workflow.with_last_action(
        Story.objects.filter(status=Status.DRAFT, author=user).order_by("-updated_at")
    )
    my_drafts = list(my_drafts[:50])
    changes_requested = [s for s in my_drafts if s.last_action == Action.REQUEST_CHANGES]
    context = {
        **admin.site.each_context(request),
        "title": "Editorial desk",
        "is_reviewer": is_reviewer,
        "changes_requested": changes_requested,
        "my_drafts": [s for s in my_drafts if s.last_action != Action.REQUEST_CHANGES],
        "my_in_review": Story.objects.filter(status=Status.IN_REVIEW, author=user).order_by(
            "-updated_at"
        )[:50],
        "awaiting_stories": (
            Story.objects.filter(status=Status.IN_REVIEW)
            .select_related("author")
            .order_by("updated_at")[:50]
            if is_reviewer
            else []
        ),
        "awaiting_issues": (
            Issue.objects.filter(status=Status.IN_REVIEW).order_by("number") if is_reviewer else []
        ),
        "scheduled_stories": Story.objects.filter(
            status=Status.PUBLISHED, published_at__gt=now
        ).order_by("published_at")[:50],
        "scheduled_issues": Issue.objects.filter(
            status=Status.PUBLISHED, published_at__gt=now
        ).order_by("published_at"),
    }
    next_issue = Issue.objects.exclude(status=Status.PUBLISHED).order_by("number").first()
    context["next_issue"] = next_issue
    if next_issue is not None:
        context["next_issue_problems"] = workflow.publish_problems(next_issue)
        context["next_issue_state"] = workflow.state_label(next_issue)
    return TemplateResponse(request, "admin/desk.html", context)


# admin_view: staff only (others go to the login page), never cached.
editorial_desk = admin.site.admin_view(_desk)
