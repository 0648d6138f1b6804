"""Give every existing story its first revision (the text its rows hold now); a published story
shows that revision. The content layout is frozen here as it was when this migration was written."""

from django.db import migrations

FIELDS = ("headline", "slug", "summary", "body", "event_date", "image", "image_alt")
TAGS = ("companies", "platforms", "topics")
CHILDREN = {"sources": ("publisher", "url", "position")}


def serialize(obj):
    opts = obj._meta
    return {
        "fields": {name: opts.get_field(name).value_to_string(obj) for name in FIELDS},
        "tags": {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in TAGS},
        "children": {
            accessor: [
                {name: child._meta.get_field(name).value_from_object(child) for name in fields}
                for child in getattr(obj, accessor).order_by("position", "pk")
            ]
            for accessor, fields in CHILDREN.items()
        },
    }


def first_revisions(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    Revision = apps.get_model("editorial", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="stories", model="story")
    for story in Story.objects.filter(latest_revision__isnull=True).iterator():
        revision = Revision.objects.create(
            content_type=content_type,
            object_id=story.pk,
            number=1,
            content=serialize(story),
            created_by_id=story.author_id,
            note="The text as it was when revisions began",
        )
        live = revision if story.status == "published" else None
        Story.objects.filter(pk=story.pk).update(latest_revision=revision, live_revision=live)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0003_revisions"),
        ("editorial", "0001_initial"),
    ]

    operations = [migrations.RunPython(first_revisions, migrations.RunPython.noop)]
