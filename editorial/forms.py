"""Forms for the editorial engine: change forms that refuse lost updates, the step forms behind
buttons, and the base for inline rows kept in revisions."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.db import transaction
from django.utils import timezone


class VersionedModelForm(forms.ModelForm):
    """A change form that refuses to save over someone else's newer save (lost updates).

    The version the form was opened at travels in a hidden field; on save the row is locked
    and its current version compared. The admin wraps the whole request in one transaction, so
    the lock holds until the save is committed.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    stale_message = (
        "Someone else saved this {kind} after you opened it, so your changes were not saved "
        "(theirs are kept). Your text is still in the form below: copy what you need, reload "
        "the page to see their version, and apply your changes again."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
            # A published row shows its newest revision (editorial.workflow_admin sets it).
            working = getattr(self.instance, "working_content", None) or {}
            for name, pks in working.get("tags", {}).items():
                if name in self.fields:
                    self.initial[name] = pks

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            with transaction.atomic():
                current = (
                    type(self.instance)
                    .objects.select_for_update()
                    .filter(pk=self.instance.pk)
                    .values_list("version", flat=True)
                    .first()
                )
            if current is None or cleaned.get("loaded_version") != current:
                raise forms.ValidationError(
                    self.stale_message.format(kind=self._meta.model._meta.verbose_name),
                    code="stale",
                )
            self.current_version = current
        return cleaned


class RevisionChildForm(forms.ModelForm):
    """An inline row (a source, an issue's story) of an object whose edits go to a revision.

    For a published object the rows on screen come from its newest revision and are saved into
    the next one, not onto the public rows; uniqueness against those public rows is checked
    when the revision is published, not here.
    """

    def __init__(self, *args, for_revision=False, **kwargs):
        self.for_revision = for_revision
        super().__init__(*args, **kwargs)
        if for_revision and not self.is_bound:
            # The row read from the revision, so read-only columns (a story's state) show it.
            for name, value in (kwargs.get("initial") or {}).items():
                field = self.instance._meta.get_field(name)
                setattr(self.instance, field.attname, value)

    def validate_unique(self):
        if not self.for_revision:
            super().validate_unique()


class _CrispyForm(forms.Form):
    submit_label = "Confirm"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        # The admin template draws the form tag and buttons around the fields.
        self.helper.form_tag = False


class RequestChangesForm(_CrispyForm):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the author should change. They get it by email and see it on the page.",
    )

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError("Say what needs changing.")
        return comment


class ShareLinkForm(_CrispyForm):
    note = forms.CharField(
        required=False,
        max_length=200,
        help_text="Who the link is for, so you know which one to revoke later.",
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=90,
        help_text="The link stops working after this many days.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.DIGEST_SHARE_LINK_DAYS


class PinnedForm(_CrispyForm):
    """A publication pinned to what the reviewer saw: the object's revision, and the revision
    of each story that goes out with it (`stories`, an issue's). Hidden fields, filled when the
    page is drawn; the workflow refuses anything newer, or a story that was not on the page."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, stories=(), **kwargs):
        super().__init__(*args, **kwargs)
        for story in stories:
            self.fields[f"story_revision_{story.pk}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=story.latest_revision_id
            )

    def story_pins(self):
        """{story id: revision id} for the stories that were on the page."""
        return {
            int(name.removeprefix("story_revision_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("story_revision_") and value is not None
        }


class ScheduleForm(PinnedForm):
    at = forms.DateTimeField(
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["at"].help_text = (
            f"Site time ({settings.TIME_ZONE}), as YYYY-MM-DD HH:MM. It is now "
            f"{now:%Y-%m-%d %H:%M} {now:%Z} there; it goes live at the time you give."
        )

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at <= timezone.now():
            raise forms.ValidationError(
                "That time has already passed: choose a time in the future, or publish now."
            )
        return at


class PublishForm(PinnedForm):
    """Publish the revision the reviewer looked at; a changed story may get a correction note."""

    correction = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Correction note (optional)",
        help_text="Shown to readers under the story with today's date, e.g. “An earlier version "
        "gave the wrong date for the hearing.” Leave empty for changes readers need not know of.",
    )
