from django import forms

from editorial.forms import RevisionChildForm, VersionedModelForm

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
