"""Give every existing issue its first revision (its text and story order now); a published issue
shows that revision. The content layout is frozen here as it was when this migration was written."""

from django.db import migrations

FIELDS = ("number", "title", "intro", "wrapup")


def serialize(issue):
    opts = issue._meta
    return {
        "fields": {name: opts.get_field(name).value_to_string(issue) for name in FIELDS},
        "tags": {},
        "children": {
            "entries": [
                {"position": entry.position, "story": entry.story_id}
                for entry in issue.entries.order_by("position")
            ]
        },
    }


def first_revisions(apps, schema_editor):
    Issue = apps.get_model("issues", "Issue")
    Revision = apps.get_model("editorial", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="issues", model="issue")
    for issue in Issue.objects.filter(latest_revision__isnull=True).iterator():
        revision = Revision.objects.create(
            content_type=content_type,
            object_id=issue.pk,
            number=1,
            content=serialize(issue),
            note="The text as it was when revisions began",
        )
        live = revision if issue.status == "published" else None
        Issue.objects.filter(pk=issue.pk).update(latest_revision=revision, live_revision=live)


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0003_revisions"),
        ("editorial", "0001_initial"),
    ]

    operations = [migrations.RunPython(first_revisions, migrations.RunPython.noop)]
