"""The story's change form."""

from django import forms

from companies.suggest import suggest
from editorial.forms import RevisionChildForm, VersionedModelForm

from .models import DismissedSuggestion, Source, Story


class StoryAdminForm(VersionedModelForm):
    class Meta:
        model = Story
        fields = [
            "headline",
            "slug",
            "summary",
            "body",
            "event_date",
            "companies",
            "platforms",
            "topics",
            "image",
            "image_alt",
        ]

    # Written by static/stories/suggestions.js when the editor dismisses a suggested tag:
    # "company:12,topic:5". Saved with the story (StoryAdmin.save_related), so a dismissed
    # suggestion does not come back on this story's form.
    dismissed_suggestions = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["dismissed_suggestions"] = ",".join(
            DismissedSuggestion.objects.tokens_for(self.instance)
        )

    def clean_dismissed_suggestions(self):
        """[(kind, pk), ...] from "company:12,topic:5"; anything else is refused."""
        kinds = set(DismissedSuggestion.Kind.values)
        tokens = []
        for token in filter(None, self.cleaned_data["dismissed_suggestions"].split(",")):
            kind, _, pk = token.strip().partition(":")
            if kind not in kinds or not (pk.isascii() and pk.isdigit()) or len(pk) > 9:
                raise forms.ValidationError(
                    "The list of dismissed suggestions was garbled; reload the page and "
                    "dismiss them again."
                )
            tokens.append((kind, int(pk)))
        return sorted(set(tokens))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", "Describe the image for readers who cannot see it.")
        return cleaned


class SourceForm(RevisionChildForm):
    class Meta:
        model = Source
        fields = ["publisher", "url", "position"]


class SuggestionRequestForm(forms.Form):
    """The text the story form sends for suggested tags (StoryAdmin.suggestions_view)."""

    headline = forms.CharField(required=False, max_length=1_000, strip=False)
    summary = forms.CharField(required=False, max_length=10_000, strip=False)
    body = forms.CharField(required=False, max_length=200_000, strip=False)

    def suggestions(self):
        """Suggested tags, strongest first, each with its evidence (as dicts for JSON)."""
        data = self.cleaned_data
        found = suggest(data["headline"], f"{data['summary']}\n\n{data['body']}")
        return [evidence.as_dict() for evidence in found.evidence]
