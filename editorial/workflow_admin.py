"""What the Story and Issue admins share: workflow steps on the change form, history, revisions
with diff and restore, previews, share links, read-only pages for editors once submitted, and
the lost-update check.

Edits to a published object never touch its public rows: the form shows the newest revision
and saving keeps a new revision, which goes through review and is written onto the rows only
when a reviewer publishes exactly that revision.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import conditional_escape, format_html

from . import preview, revisions, workflow
from .forms import PublishForm, RequestChangesForm, ScheduleForm, ShareLinkForm
from .models import Revision, ShareLink
from .publishing import Status
from .signals import deleting_as
from .workflow import Action, WorkflowError

# Saved only by the workflow (status, published_at, ...) or once at creation (author, ...).
NOT_SAVED_BY_THE_FORM = {
    "status",
    "published_at",
    "pending_status",
    "latest_revision",
    "live_revision",
    "author",
    "created_at",
    "has_corrections",
}

# The step forms behind the buttons that ask for something first.
STEP_FORMS = {
    "request_changes": (Action.REQUEST_CHANGES, RequestChangesForm, "Request changes"),
    "schedule": (Action.PUBLISH, ScheduleForm, "Schedule"),
    "publish": (Action.PUBLISH, PublishForm, "Publish this revision"),
}
STEPS = {
    "submit": Action.SUBMIT,
    "unpublish": Action.UNPUBLISH,
    **{name: action for name, (action, _, _) in STEP_FORMS.items()},
}
DONE = {
    Action.SUBMIT: "was submitted for review",
    Action.REQUEST_CHANGES: "was sent back to its author with your comment",
    Action.PUBLISH: "is published",
    Action.UNPUBLISH: "was unpublished and is a draft again",
}
# The change form's own buttons: save first, then take the step (nothing typed is lost).
SAVE_AND = {"_submit": "submit", "_publish": "publish", "_schedule": "schedule"}


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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class _SkipMalformedChoices:
    """An autocomplete box that ignores submitted values which cannot be primary keys.

    The field already refuses them with a form error; without this, drawing the form again to
    show that error would query with "abc" as an id and answer 500.
    """

    def optgroups(self, name, value, attr=None):
        pk = self.field.remote_field.model._meta.pk
        valid = []
        for item in value:
            try:
                pk.to_python(item)
            except ValidationError:
                continue
            valid.append(item)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_SkipMalformedChoices, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_SkipMalformedChoices, AutocompleteSelectMultiple):
    pass


class RaceSafeSaveMixin:
    """A save that loses a race for a unique value (two people creating the same web address
    or issue number at once) gets a form error with everything typed still there, not a 500.

    The form checks uniqueness before saving, but the other save may commit in between; the
    database then refuses ours. By then the winner's row is visible, so drawing the form again
    from the same POST names the clash on the field itself.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if request.method != "POST":
                raise
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            messages.error(
                request,
                "Someone saved the same web address or number at the same moment, so this was "
                "not saved. Check the form and save again.",
            )
            return HttpResponseRedirect(request.get_full_path())


class ParentWorkflowInlineMixin:
    """An inline follows its parent's workflow: read-only for editors once it is submitted,
    and on top of the inline model's own permissions (a user needs both)."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or workflow.can_edit(request.user, obj)
        )

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (
            obj is None or workflow.can_edit(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or workflow.can_edit(request.user, obj)
        )

    def edits_revision(self, request, obj):
        """Whether this inline's rows on `obj`'s form come from, and go to, its newest revision
        (a public object edited by someone who may change all of the rows)."""
        return (
            obj is not None
            and obj.is_live
            and self.has_add_permission(request, obj)
            and self.has_change_permission(request, obj)
            and self.has_delete_permission(request, obj)
        )

    def get_extra(self, request, obj=None, **kwargs):
        if self.edits_revision(request, obj) and request.method != "POST":
            rows = revisions.content_of(obj)["children"].get(self.revision_children, [])
            return len(rows) + 1
        return super().get_extra(request, obj, **kwargs)


class StatusFilter(admin.SimpleListFilter):
    """The desk's questions, one click away in every list; "scheduled" and "live" are the
    models' own scheduled() and published() querysets."""

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
        if value == "mine" and hasattr(queryset.model, "author"):
            return queryset.in_state(Status.DRAFT).filter(author=request.user)
        if value == "changes_requested":
            return workflow.with_last_action(queryset.in_state(Status.DRAFT)).filter(
                last_action=Action.REQUEST_CHANGES
            )
        if value == "awaiting_review":
            return queryset.in_state(Status.IN_REVIEW)
        if value == "scheduled":
            return queryset.scheduled()
        if value == "live":
            return queryset.published()
        return queryset


class WorkflowAdminMixin(RaceSafeSaveMixin, PlainHelpTextMixin):
    change_form_template = "admin/workflow/change_form.html"
    actions = ["submit_selected"]
    preview_url_name = None  # "story_preview" or "issue_preview"

    # -- permissions ------------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        # Editors see a submitted object read-only; reviewers may correct it.
        return obj is None or workflow.can_edit(request.user, obj)

    # -- the change form shows the newest text ----------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and obj.is_live and workflow.can_edit(request.user, obj):
            # The public rows hold the published text; the form edits the newest revision.
            # (In memory only: nothing saves this object's rows but publishing.) Someone who
            # may not edit it sees the published text, fields and rows alike, and the diff.
            obj.working_content = revisions.content_of(obj)
            revisions.apply_fields(obj, obj.working_content)
        return obj

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if inline.edits_revision(request, obj):
            # The rows are new forms filled from the revision; saving keeps them in the next
            # revision (serialize_form), never on the public rows.
            kwargs["queryset"] = inline.model.objects.none()
            kwargs["form_kwargs"] = {"for_revision": True}
            if request.method != "POST":
                # Not on POST: a form equal to its initial data would count as empty.
                rows = revisions.content_of(obj)["children"]
                kwargs["initial"] = rows.get(inline.revision_children, [])
        return kwargs

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(name, dict(options)) for name, options in super().get_fieldsets(request, obj)]
        if obj is not None and self.has_change_permission(request, obj):
            first = fieldsets[0][1]
            first["fields"] = [*first["fields"], "loaded_version"]
        return fieldsets

    def view_on_site(self, obj):
        # "View on site" of something not yet public opens the preview, not a 404.
        if obj.is_published and not obj.has_pending_changes:
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

    # -- saving: every save keeps a revision ----------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            # A new object (also "save as new") always starts as the saver's draft.
            obj.status, obj.published_at, obj.pending_status = Status.DRAFT, None, ""
            obj.latest_revision = obj.live_revision = None
            if hasattr(obj, "author_id"):
                obj.author = request.user
            obj.save()
            return
        if obj.is_live:
            # The public rows stay as they are: save_related keeps the edit as a revision.
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
        obj = form.instance
        if change and obj.is_live:
            inlines = {inline.model: inline for inline in self.get_inline_instances(request, obj)}
            editable = [
                formset if inlines[formset.model].edits_revision(request, obj) else None
                for formset in formsets
            ]
            content = revisions.serialize_form(
                obj, form, editable, base_content=revisions.content_of(obj)
            )
            workflow.keep_revision(obj, by=request.user, content=content)
            for formset in formsets:
                # Nothing was written to the rows; the admin's change message reads these.
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_related(request, form, formsets, change)
        workflow.keep_revision(obj, by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        step = self._save_and_step(request, obj)
        return step or super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        step = self._save_and_step(request, obj)
        return step or super().response_change(request, obj)

    def _save_and_step(self, request, obj):
        """After "Save and submit" / "Save and publish" / "Schedule": the text is saved, now
        take the step; a refusal says why and leaves the saved text as it is."""
        step = next((SAVE_AND[key] for key in SAVE_AND if key in request.POST), None)
        if step is None:
            return None
        obj.refresh_from_db()
        if step == "submit":
            return self._perform(request, obj, Action.SUBMIT, None)
        # The row is still locked by the lost-update check (the admin's transaction), so the
        # newest revision is what this form saved, or loaded if nothing changed.
        url = self._step_url(obj, step) + f"?revision={obj.latest_revision_id}"
        return HttpResponseRedirect(url)

    # -- deleting is logged --------------------------------------------------------------------

    def delete_model(self, request, obj):
        with transaction.atomic(), deleting_as(request.user):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic(), deleting_as(request.user):
            super().delete_queryset(request, queryset)

    # -- the change page's workflow panel -----------------------------------------------------

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
            "wf_status": obj.working_status,
            "wf_live": obj.is_live,
            "wf_allowed": [action.value for action in allowed],
            "wf_history": workflow.labelled(workflow.history(obj)),
            "wf_can_edit": workflow.can_edit(user, obj),
            "wf_preview_url": reverse(self.preview_url_name, args=[obj.pk]),
            "wf_can_share": self._can_share(request),
            "wf_revision": obj.latest_revision_id,
            "wf_review_comment": workflow.latest_review_comment(obj),
            "wf_revisions_url": self._url("revisions", obj.pk),
        }
        if Action.PUBLISH not in allowed:
            refused = workflow.refusal(obj, user, Action.PUBLISH)
            if isinstance(refused, workflow.FourEyes):
                context["wf_four_eyes"] = str(refused)
        context["wf_diff_url"] = self._diff_to_live_url(obj)
        context["wf_urls"] = {name: self._step_url(obj, name) for name in STEPS}
        context["wf_urls"]["share"] = self._url("share", obj.pk)
        if obj.working_status != Status.PUBLISHED:
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
            path(
                "<path:object_id>/revisions/",
                wrap(self.revisions_view),
                name=f"{prefix}_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:old_id>/<int:new_id>/",
                wrap(self.diff_view),
                name=f"{prefix}_diff",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                wrap(self.restore_view),
                name=f"{prefix}_restore",
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

    def _page(self, request, obj, template, title, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "original": obj,
                "change_url": self._change_url(obj),
                **context,
            },
        )

    def step_view(self, request, object_id, step):
        if step not in STEPS:
            raise Http404
        obj = self._get_visible(request, object_id)
        action = STEPS[step]
        if action == Action.PUBLISH and obj.latest_revision_id is None:
            # Made outside the admin: keep its rows as a revision the reviewer can pin.
            with transaction.atomic():
                workflow.ensure_revision(obj)
        try:
            # Refuse before asking for a comment or a time the user could not use anyway.
            workflow.check_allowed(obj, request.user, action)
        except WorkflowError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(self._change_url(obj))
        if step not in STEP_FORMS:
            if request.method != "POST":
                return HttpResponseRedirect(self._change_url(obj))
            return self._perform(request, obj, action, None)
        _, form_class, title = STEP_FORMS[step]
        kwargs = {}
        going_live = None
        if action == Action.PUBLISH:
            going_live = self._going_live(obj)
            kwargs["stories"] = [row["obj"] for row in going_live if row["goes_live"]]
            kwargs["initial"] = {"revision": request.GET.get("revision") or obj.latest_revision_id}
        form = form_class(request.POST or None, **kwargs)
        if step == "publish" and not (obj.is_live and obj.accepts_corrections):
            del form.fields["correction"]
        if request.method != "POST" or not form.is_valid():
            return self._page(
                request,
                obj,
                "admin/workflow/step_form.html",
                f"{title}: {obj}",
                form=form,
                submit_label=title,
                going_live=going_live,
                diff_url=self._diff_to_live_url(obj),
            )
        return self._perform(request, obj, action, form, step=step)

    def _diff_to_live_url(self, obj):
        if obj.live_revision_id and obj.latest_revision_id != obj.live_revision_id:
            return self._url("diff", obj.pk, obj.live_revision_id, obj.latest_revision_id)
        return None

    def _going_live(self, obj):
        """The stories that go out with `obj` (an issue's), each with its state, who submitted
        it and who last reviewed it. Three queries, whatever the number of stories."""
        children = obj.goes_out_with(revisions.content_of(obj))
        if children is None:
            return []
        children = sorted(children, key=str)
        submitted = workflow.last_steps(children, [Action.SUBMIT])
        reviewed = workflow.last_steps(children, [Action.REQUEST_CHANGES, Action.EDIT])
        return [
            {
                "obj": child,
                "state": workflow.state_label(child),
                "goes_live": child.status == Status.IN_REVIEW,
                "submitted": submitted.get(child.pk),
                "reviewed": reviewed.get(child.pk),
            }
            for child in children
        ]

    def _perform(self, request, obj, action, form, step=None):
        data = form.cleaned_data if form is not None else {}
        try:
            if action == Action.REQUEST_CHANGES:
                workflow.request_changes(obj, by=request.user, comment=data["comment"])
            elif action == Action.PUBLISH:
                workflow.publish(
                    obj,
                    by=request.user,
                    at=data.get("at"),
                    revision=data["revision"],
                    story_revisions=form.story_pins(),
                    correction=data.get("correction", ""),
                )
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

    # -- revisions: history, diff, restore ------------------------------------------------------

    def revisions_view(self, request, object_id):
        obj = self._get_visible(request, object_id)
        rows = list(Revision.objects.of(obj).select_related("created_by").defer("content"))
        for index, revision in enumerate(rows):
            older = rows[index + 1] if index + 1 < len(rows) else None
            revision.diff_url = self._url("diff", obj.pk, older.pk, revision.pk) if older else None
            revision.restore_url = self._url("restore", obj.pk, revision.pk)
        return self._page(
            request,
            obj,
            "admin/workflow/revisions.html",
            f"Revisions of {obj}",
            revisions=rows,
            live_id=obj.live_revision_id,
            latest_id=obj.latest_revision_id,
            can_restore=workflow.can_edit(request.user, obj),
        )

    def diff_view(self, request, object_id, old_id, new_id):
        obj = self._get_visible(request, object_id)
        found = Revision.objects.of(obj).in_bulk([old_id, new_id])
        if old_id not in found or new_id not in found:
            raise Http404
        old, new = found[old_id], found[new_id]
        return self._page(
            request,
            obj,
            "admin/workflow/diff.html",
            f"Changes from revision {old.number} to {new.number}: {obj}",
            old=old,
            new=new,
            changes=revisions.diff(self.model, old.content, new.content),
            revisions_url=self._url("revisions", obj.pk),
        )

    def restore_view(self, request, object_id, revision_id):
        obj = self._get_visible(request, object_id)
        revision = Revision.objects.of(obj).filter(pk=revision_id).first()
        if revision is None:
            raise Http404
        if request.method == "POST":
            try:
                workflow.restore(obj, revision, by=request.user)
            except WorkflowError as error:
                messages.error(request, str(error))
                return HttpResponseRedirect(self._url("revisions", obj.pk))
            messages.success(
                request,
                f"Revision {revision.number} is the newest draft again. Submit it for review "
                "when it is ready.",
            )
            return HttpResponseRedirect(self._change_url(obj))
        return self._page(
            request,
            obj,
            "admin/workflow/restore.html",
            f"Restore revision {revision.number} of {obj}",
            revision=revision,
            changes=revisions.diff(self.model, revisions.content_of(obj), revision.content),
        )

    # -- share links --------------------------------------------------------------------------

    def _can_share(self, request):
        return request.user.has_perm("editorial.add_sharelink")

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
        return self._page(
            request,
            obj,
            "admin/workflow/step_form.html",
            f"Share a preview of {obj}",
            form=form,
            submit_label="Create link",
            intro="Anyone with the link can read this preview, without an account, "
            "until it expires or you revoke it.",
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

    @admin.action(description="Submit selected for review", permissions=["change"])
    def submit_selected(self, request, queryset):
        objs = list(queryset.order_by("pk"))
        try:
            with transaction.atomic():
                count = workflow.bulk(objs, Action.SUBMIT, by=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
            return
        for obj in objs:
            self.log_change(request, obj, f"Workflow: {Action.SUBMIT.label}")
        noun = self.model._meta.verbose_name if count == 1 else self.model._meta.verbose_name_plural
        messages.success(request, f"{count} {noun} submitted for review.")
