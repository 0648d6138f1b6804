"""What the Story and Issue admins share: workflow buttons, history, previews, share links,
read-only pages for editors once submitted, bulk actions and the lost-update check."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html

from . import preview, workflow
from .forms import RequestChangesForm, ScheduleForm, ShareLinkForm
from .models import ShareLink
from .publishing import Status
from .workflow import Action, WorkflowError

# Saved only by the workflow (status, published_at) or once at creation (author, created_at).
NOT_SAVED_BY_THE_FORM = {"status", "published_at", "author", "created_at"}

# The step forms behind the buttons that ask for something first.
STEP_FORMS = {
    "request_changes": (Action.REQUEST_CHANGES, RequestChangesForm, "Request changes"),
    "schedule": (Action.PUBLISH, ScheduleForm, "Schedule"),
}
STEPS = {
    "submit": Action.SUBMIT,
    "publish": Action.PUBLISH,
    "unpublish": Action.UNPUBLISH,
    **{name: action for name, (action, _, _) in STEP_FORMS.items()},
}
DONE = {
    Action.SUBMIT: "was submitted for review",
    Action.REQUEST_CHANGES: "was sent back to its author with your comment",
    Action.PUBLISH: "is published",
    Action.UNPUBLISH: "was unpublished and is a draft again",
}


class PlainHelpTextMixin:
    """Show help texts as written: the admin prints them unescaped, which would swallow
    placeholders such as "/stories/<slug>/". Web addresses typed without a scheme get https."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and field.help_text:
            field.help_text = conditional_escape(field.help_text)
        return field


class ParentWorkflowInlineMixin:
    """An inline follows its parent's workflow: read-only for editors once it is submitted."""

    def has_change_permission(self, request, obj=None):
        return obj is None or workflow.can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return obj is None or workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is None or workflow.can_edit(request.user, obj)


class StatusFilter(admin.SimpleListFilter):
    """The desk's questions, one click away in every list."""

    title = "desk"
    parameter_name = "desk"

    def lookups(self, request, model_admin):
        choices = []
        if hasattr(model_admin.model, "author"):
            choices.append(("mine", "My drafts"))
        return [
            *choices,
            ("changes_requested", "Changes requested"),
            ("awaiting_review", "Awaiting review"),
            ("scheduled", "Scheduled"),
            ("live", "Live"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        now = timezone.now()
        if value == "mine" and hasattr(queryset.model, "author"):
            return queryset.filter(status=Status.DRAFT, author=request.user)
        if value == "changes_requested":
            return workflow.with_last_action(queryset).filter(
                status=Status.DRAFT, last_action=Action.REQUEST_CHANGES
            )
        if value == "awaiting_review":
            return queryset.filter(status=Status.IN_REVIEW)
        if value == "scheduled":
            return queryset.filter(status=Status.PUBLISHED, published_at__gt=now)
        if value == "live":
            return queryset.filter(status=Status.PUBLISHED, published_at__lte=now)
        return queryset


class WorkflowAdminMixin(PlainHelpTextMixin):
    change_form_template = "admin/workflow/change_form.html"
    actions = ["submit_selected", "publish_selected"]
    preview_url_name = None  # "story_preview" or "issue_preview"

    # -- permissions ------------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        # Editors see a submitted or published object read-only; reviewers may correct it.
        return obj is None or workflow.can_edit(request.user, obj)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user, self.model)

    # -- the change form ----------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, dict(options)) for name, options in super().get_fieldsets(request, obj)]
        if obj is not None and self.has_change_permission(request, obj):
            first = fieldsets[0][1]
            first["fields"] = [*first["fields"], "loaded_version"]
        return fieldsets

    def view_on_site(self, obj):
        # "View on site" of something not yet public opens the preview, not a 404.
        if obj.is_published:
            return obj.get_absolute_url()
        return reverse(self.preview_url_name, args=[obj.pk])

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="wf-badge wf-{}{}">{}</span>',
            obj.status,
            " wf-scheduled" if obj.is_scheduled else "",
            workflow.state_label(obj),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            # A new object (also "save as new") always starts as the saver's draft.
            obj.status, obj.published_at = Status.DRAFT, None
            if hasattr(obj, "author_id"):
                obj.author = request.user
            obj.save()
            return
        obj.version = form.current_version + 1
        obj.save(
            update_fields=[
                field.name
                for field in obj._meta.concrete_fields
                if not field.primary_key and field.name not in NOT_SAVED_BY_THE_FORM
            ]
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if change and obj.status != Status.DRAFT:
            # A reviewer's correction of something in review or already public: on the record.
            changed = [name for name in form.changed_data if name != "loaded_version"]
            changed += [
                str(formset.model._meta.verbose_name_plural)
                for formset in formsets
                if formset.has_changed()
            ]
            workflow.record_edit(
                obj,
                by=request.user,
                comment="Changed " + ", ".join(changed) if changed else "Saved without changes",
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = extra_context or {}
        if obj is not None and self.has_view_or_change_permission(request, obj):
            extra.update(self.workflow_context(request, obj))
        return super().change_view(request, object_id, form_url, extra)

    def workflow_context(self, request, obj):
        user = request.user
        allowed = workflow.allowed_actions(obj, user)
        context = {
            "wf_state": workflow.state_label(obj),
            "wf_status": obj.status,
            "wf_allowed": [action.value for action in allowed],
            "wf_history": workflow.labelled(workflow.history(obj)),
            "wf_can_edit": workflow.can_edit(user, obj),
            "wf_preview_url": reverse(self.preview_url_name, args=[obj.pk]),
            "wf_can_share": self._can_share(request),
        }
        context["wf_urls"] = {name: self._step_url(obj, name) for name in STEPS}
        context["wf_urls"]["share"] = self._url("share", obj.pk)
        if obj.status != Status.PUBLISHED:
            context["wf_problems"] = workflow.publish_problems(obj)
        if context["wf_can_share"]:
            context["wf_links"] = [
                (link, self._url("revoke_share", obj.pk, link.pk))
                for link in preview.active_links(obj)
            ]
        return context

    # -- the workflow step views --------------------------------------------------------------

    def _url(self, name, *args):
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)

    def _step_url(self, obj, step):
        return self._url("step", obj.pk, step)

    def _change_url(self, obj):
        return self._url("change", obj.pk)

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/step/<str:step>/",
                wrap(self.step_view),
                name=f"{prefix}_step",
            ),
            path("<path:object_id>/share/", wrap(self.share_view), name=f"{prefix}_share"),
            path(
                "<path:object_id>/share/<int:link_id>/revoke/",
                wrap(self.revoke_share_view),
                name=f"{prefix}_revoke_share",
            ),
            *super().get_urls(),
        ]

    def _get_visible(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404
        return obj

    def step_view(self, request, object_id, step):
        if step not in STEPS:
            raise Http404
        obj = self._get_visible(request, object_id)
        action = STEPS[step]
        try:
            # Refuse before asking for a comment or a time the user could not use anyway.
            workflow.check_allowed(obj, request.user, action)
        except WorkflowError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(self._change_url(obj))
        form = None
        if step in STEP_FORMS:
            _, form_class, title = STEP_FORMS[step]
            form = form_class(request.POST or None)
            if request.method != "POST" or not form.is_valid():
                return TemplateResponse(
                    request,
                    "admin/workflow/step_form.html",
                    {
                        **self.admin_site.each_context(request),
                        "title": f"{title}: {obj}",
                        "opts": self.model._meta,
                        "original": obj,
                        "form": form,
                        "submit_label": title,
                        "change_url": self._change_url(obj),
                    },
                )
        elif request.method != "POST":
            return HttpResponseRedirect(self._change_url(obj))
        try:
            if action == Action.REQUEST_CHANGES:
                workflow.request_changes(obj, by=request.user, comment=form.cleaned_data["comment"])
            elif step == "schedule":
                workflow.publish(obj, by=request.user, at=form.cleaned_data["at"])
            else:
                workflow.PERFORM[action](obj, by=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            done = DONE[action]
            if step == "schedule":
                done = f"is {workflow.state_label(obj).lower()}"
            messages.success(request, f"“{obj}” {done}.")
            self.log_change(request, obj, f"Workflow: {action.label}")
        return HttpResponseRedirect(self._change_url(obj))

    # -- share links --------------------------------------------------------------------------

    def _can_share(self, request):
        return request.user.has_perm("stories.add_sharelink")

    def share_view(self, request, object_id):
        obj = self._get_visible(request, object_id)
        if not self._can_share(request):
            raise PermissionDenied
        form = ShareLinkForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            _, token = preview.create_share_link(
                obj,
                by=request.user,
                days=form.cleaned_data["days"],
                note=form.cleaned_data["note"],
            )
            messages.success(
                request,
                format_html(
                    "Share link created. Copy it now, it is shown only once: "
                    '<a href="{0}" class="wf-share-url">{0}</a>',
                    preview.share_url(request, token),
                ),
            )
            return HttpResponseRedirect(self._change_url(obj))
        return TemplateResponse(
            request,
            "admin/workflow/step_form.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Share a preview of {obj}",
                "opts": self.model._meta,
                "original": obj,
                "form": form,
                "submit_label": "Create link",
                "change_url": self._change_url(obj),
                "intro": "Anyone with the link can read this preview, without an account, "
                "until it expires or you revoke it.",
            },
        )

    def revoke_share_view(self, request, object_id, link_id):
        obj = self._get_visible(request, object_id)
        if not self._can_share(request):
            raise PermissionDenied
        if request.method == "POST":
            link = ShareLink.objects.filter(
                pk=link_id, object_id=obj.pk, content_type__model=self.model._meta.model_name
            ).first()
            if link is None:
                raise Http404
            preview.revoke(link)
            messages.success(request, "The share link was revoked; it no longer opens anything.")
        return HttpResponseRedirect(self._change_url(obj))

    # -- bulk actions -------------------------------------------------------------------------

    def _bulk(self, request, queryset, action):
        objs = list(queryset.order_by("pk"))
        try:
            with transaction.atomic():
                count = workflow.bulk(objs, action, by=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
            return
        for obj in objs:
            self.log_change(request, obj, f"Workflow: {action.label}")
        noun = self.model._meta.verbose_name if count == 1 else self.model._meta.verbose_name_plural
        done = {Action.SUBMIT: "submitted for review", Action.PUBLISH: "published"}[action]
        messages.success(request, f"{count} {noun} {done}.")

    @admin.action(description="Submit selected for review", permissions=["change"])
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, Action.SUBMIT)

    @admin.action(description="Publish selected now", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, Action.PUBLISH)
