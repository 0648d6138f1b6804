from django import forms
from django.conf import settings

from editorial.forms import RevisionChildForm, VersionedModelForm

from .importing import format_size
from .models import Issue, IssueStory


class IssueAdminForm(VersionedModelForm):
    class Meta:
        model = Issue
        fields = [
            "number",
            "title",
            "intro",
            "wrapup_heading",
            "wrapup",
            "report_title",
            "report_url",
        ]


class IssueStoryForm(RevisionChildForm):
    class Meta:
        model = IssueStory
        fields = ["position", "story"]

    def clean_story(self):
        story = self.cleaned_data["story"]
        elsewhere = (
            IssueStory.objects.filter(story=story)
            .exclude(issue_id=self.instance.issue_id)
            .select_related("issue")
            .first()
        )
        if elsewhere is not None:
            raise forms.ValidationError(
                f"“{story}” already runs in issue #{elsewhere.issue.number}; "
                "a story appears in one issue only."
            )
        return story


class IssueStoryFormSet(forms.BaseInlineFormSet):
    """Catch what the database would refuse only at commit time, with a message instead of a 500.

    The position constraint is deferred (so swapping two stories saves), which means a repeated
    position would otherwise fail when the transaction commits.
    """

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.is_valid() or not form.cleaned_data or self._should_delete_form(form):
                continue
            position = form.cleaned_data.get("position")
            if position in seen:
                form.add_error("position", f"Position {position} is used twice in this issue.")
            seen.add(position)


class ImportPostForm(forms.Form):
    """A digest post to import: a file, or its text pasted."""

    file = forms.FileField(
        required=False,
        label="Post file",
        help_text="Markdown (.md, .txt) or the HTML page your site builder exports (.html).",
    )
    text = forms.CharField(
        required=False,
        label="…or paste the post",
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        strip=False,
    )
    number = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2_147_483_647,
        label="Issue number",
        help_text="Leave empty to take the next free number.",
    )

    def clean(self):
        from editorial.images import RefusedUpload

        cleaned = super().clean()
        upload, text = cleaned.get("file"), cleaned.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError("Upload a file or paste the text, not both.")
        if isinstance(upload, RefusedUpload):
            self.add_error(
                "file",
                f"The file is {format_size(upload.size)}; posts may be at most "
                f"{format_size(settings.DIGEST_UPLOAD_MAX_BYTES)}.",
            )
        elif upload:
            cleaned["data"], cleaned["name"] = upload.read(), upload.name
        elif text.strip():
            cleaned["data"], cleaned["name"] = text.encode("utf-8"), "pasted text"
        else:
            raise forms.ValidationError("Choose the post's file, or paste its text.")
        return cleaned


class ConfirmImportForm(forms.Form):
    """The previewed import, signed by the server: confirming creates exactly that."""

    plan = forms.CharField(widget=forms.HiddenInput)
