"""The story's change form."""

from editorial.forms import RevisionChildForm, VersionedModelForm

from .models import Source, Story


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
            "image_caption",
            "image_credit",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", "Describe the image for readers who cannot see it.")
        return cleaned


class SourceForm(RevisionChildForm):
    class Meta:
        model = Source
        fields = ["publisher", "url", "position"]
