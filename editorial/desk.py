"""The editorial desk: one admin page with what needs each person's attention now.

It lists every publishable model (stories, issues) through the engine's interface, so it
imports no content app. A model may add a panel of its own (`desk_panel`, e.g. the next issue).
"""

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from . import workflow
from .publishing import PublishableModel, Status
from .workflow import Action

LIMIT = 50


def publishable_models():
    return [model for model in apps.get_models() if issubclass(model, PublishableModel)]


def _has_author(model):
    return any(field.name == "author" for field in model._meta.get_fields())


class Row:
    def __init__(self, obj, note=""):
        opts = obj._meta
        self.obj = obj
        self.kind = opts.verbose_name
        self.url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        self.note = note


def _desk(request):
    user = request.user
    models = [m for m in publishable_models() if user.has_perm(workflow.permission(m, "change"))]
    # Staff without editorial rights must not see embargoed headlines or next week's plans.
    if not models:
        raise PermissionDenied
    awaiting, changes, drafts, mine_in_review, scheduled, panels = [], [], [], [], [], []
    reviews = {model: workflow.can_publish(user, model) for model in models}
    for model in models:
        if reviews[model]:
            rows = model.objects.in_state(Status.IN_REVIEW)
            if _has_author(model):
                rows = rows.select_related("author")
            for obj in rows.order_by("updated_at")[:LIMIT]:
                author = getattr(obj, "author", None)
                awaiting.append(
                    Row(
                        obj,
                        f"by {author}, submitted {obj.updated_at:%d %b %H:%M}" if author else "",
                    )
                )
        if _has_author(model):
            own = workflow.with_last_action(
                model.objects.in_state(Status.DRAFT).filter(author=user).order_by("-updated_at")
            )
            for obj in own[:LIMIT]:
                if obj.last_action == Action.REQUEST_CHANGES:
                    changes.append(Row(obj, obj.last_comment))
                else:
                    drafts.append(Row(obj))
            mine_in_review += [
                Row(obj)
                for obj in model.objects.in_state(Status.IN_REVIEW)
                .filter(author=user)
                .order_by("-updated_at")[:LIMIT]
            ]
        scheduled += [
            Row(obj, f"goes live {workflow.format_time(obj.published_at)}")
            for obj in model.objects.scheduled().order_by("published_at")[:LIMIT]
        ]
        panel = getattr(model, "desk_panel", None)
        if panel is not None:
            panels.append(panel())
    context = {
        **admin.site.each_context(request),
        "title": "Editorial desk",
        "is_reviewer": any(reviews.values()),
        "awaiting": awaiting,
        "changes_requested": changes,
        "my_drafts": drafts,
        "my_in_review": mine_in_review,
        "scheduled": scheduled,
        "panels": panels,
    }
    return TemplateResponse(request, "admin/desk.html", context)


# admin_view: staff only (others go to the login page), never cached.
editorial_desk = admin.site.admin_view(_desk)
