"""Store each story's block on an issue page and its timeline card (stories.fragments), and
render them for the stories that exist now, published or not, so every row starts with the
fragments its text and tags give.

A block is derived data, rendered whenever what it prints changes, so the backfill uses the
current template and tag queries rather than a frozen copy.
"""

from django.db import migrations, models

BATCH = 500


def render_blocks(apps, schema_editor):
    from companies.links import public_path
    from stories.extras import attach_extras
    from stories.fragments import render_block, render_card

    Story = apps.get_model("stories", "Story")
    ids = list(Story.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        stories = attach_extras(
            Story.objects.filter(pk__in=ids[start : start + BATCH]).only(
                "headline", "slug", "event_date", "summary", "body_html"
            )
        )
        for story in stories:
            # Historical models have no methods: the card's link comes from the URLconf.
            story.get_absolute_url = public_path("story_detail", story.slug)
            story.block_html = render_block(story)
            story.card_html = render_card(story)
        Story.objects.bulk_update(stories, ["block_html", "card_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0010_search_published_gin"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="block_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="story",
            name="card_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(render_blocks, migrations.RunPython.noop),
    ]
