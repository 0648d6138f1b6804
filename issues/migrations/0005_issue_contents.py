"""Store each issue's contents as readers see them (issues.fragments), and render them for the
issues that exist now from the story blocks stories.0008 stored.

A stored part is derived data, re-rendered whenever what it prints changes, so the backfill uses
the current template rather than a frozen copy; it reads the rows through this migration's
historical models.
"""

from types import SimpleNamespace

from django.db import migrations, models
from django.db.models import Min
from django.utils import timezone


def render_parts(apps, schema_editor):
    from companies.links import public_path
    from issues.fragments import CONTENTS_FROM, render_contents

    Issue = apps.get_model("issues", "Issue")
    Story = apps.get_model("stories", "Story")
    now = timezone.now()
    # The columns the template prints that exist at this point of the history (later
    # migrations add some, and call this again).
    columns = {field.name for field in Issue._meta.fields}
    for issue in Issue.objects.only(*(name for name in CONTENTS_FROM if name in columns)):
        at = max(now, issue.published_at) if issue.published_at else now
        stories = (
            Story.objects.filter(
                status="published", published_at__lte=at, issue_entries__issue_id=issue.pk
            )
            .order_by("issue_entries__position")
            .only("headline", "slug", "block_html")
        )
        entries = [
            SimpleNamespace(
                story=SimpleNamespace(
                    headline=story.headline,
                    block_html=story.block_html,
                    get_absolute_url=public_path("story_detail", story.slug),
                )
            )
            for story in stories
        ]
        until = Story.objects.filter(
            status="published", published_at__gt=at, issue_entries__issue_id=issue.pk
        ).aggregate(first=Min("published_at"))["first"]
        Issue.objects.filter(pk=issue.pk).update(
            contents_html=render_contents(issue, entries),
            stories_shown=[[e.story.headline, e.story.get_absolute_url] for e in entries],
            stories_until=until,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0004_first_revisions"),
        ("stories", "0011_story_blocks"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="contents_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="issue",
            name="stories_shown",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.AddField(
            model_name="issue",
            name="stories_until",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(render_parts, migrations.RunPython.noop),
    ]
