"""Store each story's block on an issue page (stories.fragments) and render it for the stories
that exist now, published or not, so every row starts with the block its text and tags give.

A block is derived data, rendered whenever what it prints changes, so the backfill uses the
current template and tag queries rather than a frozen copy.
"""

from django.db import migrations, models

BATCH = 500


def render_blocks(apps, schema_editor):
    from stories.extras import attach_extras
    from stories.fragments import render_block

    Story = apps.get_model("stories", "Story")
    ids = list(Story.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        stories = attach_extras(
            Story.objects.filter(pk__in=ids[start : start + BATCH]).only("summary", "body_html")
        )
        for story in stories:
            story.block_html = render_block(story)
        Story.objects.bulk_update(stories, ["block_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0007_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="block_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(render_blocks, migrations.RunPython.noop),
    ]
