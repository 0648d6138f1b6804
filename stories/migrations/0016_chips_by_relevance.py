"""Store every story's block and card again: their chips are now picked and ordered by
relevance (stories.extras.chips). The issues' stored contents, which print the blocks, are
stored again by issues 0007, which runs after this."""

import importlib

from django.db import migrations


def render_blocks_again(apps, schema_editor):
    importlib.import_module("stories.migrations.0011_story_blocks").render_blocks(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0015_author_photo_renditions"),
    ]

    operations = [
        migrations.RunPython(render_blocks_again, migrations.RunPython.noop),
    ]
