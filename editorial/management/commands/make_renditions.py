"""Make what pages print of images, for rows stored before it existed (or after a restore)."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand

from editorial import cards
from editorial.images import SafeImageField
from editorial.models import Revision
from editorial.renditions import renditions_for


def image_fields():
    """(model, field) for every SafeImageField that keeps renditions, in every app."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, SafeImageField) and field.renditions_field:
                yield model, field


class Command(BaseCommand):
    help = (
        "Make the missing responsive renditions of every stored image (the rows' images and "
        "those named by revisions not yet published), record them on the rows, and draw the "
        "missing social cards. Safe to run again: what exists is kept. Run it once after "
        "upgrading to a version with renditions, or after restoring MEDIA_ROOT from a backup."
    )

    def handle(self, *args, **options):
        rows = files = 0
        for model, field in image_fields():
            for obj in model._default_manager.exclude(**{field.attname: ""}).iterator():
                file = getattr(obj, field.attname)
                info = renditions_for(file.storage, file.name)
                files += 1
                if info != getattr(obj, field.renditions_field):
                    setattr(obj, field.renditions_field, info)
                    # save(): the stored fragments printing the image and the page cache
                    # follow the usual signals.
                    obj.save(update_fields=[field.renditions_field])
                    rows += 1
            files += self.revision_images(model, field)
        cards_drawn = self.social_cards()
        cards.ensure_brand_card()
        self.stdout.write(
            self.style.SUCCESS(
                f"Renditions checked for {files} images ({rows} rows updated); "
                f"{cards_drawn} story cards checked, and the site's card."
            )
        )

    def revision_images(self, model, field):
        """Images in kept revisions (drafts of published text among them): their renditions
        are made now, so that publishing one only records them."""
        spec = getattr(model, "revision_spec", None)
        if spec is None or field.name not in spec.fields:
            return 0
        names = set()
        revisions = Revision.objects.filter(content_type=ContentType.objects.get_for_model(model))
        for content in revisions.values_list("content", flat=True).iterator():
            name = (content or {}).get("fields", {}).get(field.name)
            if name:
                names.add(name)
        storage = field.storage
        for name in names:
            renditions_for(storage, name)
        return len(names)

    def social_cards(self):
        """Rows that draw a card of their own when saved (Story.draw_social_card)."""
        count = 0
        for model in apps.get_models():
            if not hasattr(model, "draw_social_card"):
                continue
            for obj in model._default_manager.all().iterator():
                before = obj.social_card
                obj.draw_social_card()
                count += 1
                if obj.social_card != before:
                    obj.save(update_fields=["social_card"])
        return count
