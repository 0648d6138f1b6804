"""Revisions and corrections for stories; the workflow log and share links moved to editorial."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("stories", "0002_roles"),
    ]

    operations = [
        # The tables now belong to editorial (renamed in editorial 0001): state only.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ShareLink"),
                migrations.DeleteModel(name="Transition"),
            ],
        ),
        migrations.AddField(
            model_name="story",
            name="has_corrections",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="story",
            name="latest_revision",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="editorial.revision",
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="live_revision",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="editorial.revision",
            ),
        ),
        migrations.AddField(
            model_name="story",
            name="pending_status",
            field=models.CharField(
                blank=True,
                choices=[("draft", "Draft"), ("in_review", "In review")],
                editable=False,
                max_length=16,
                verbose_name="changes waiting",
            ),
        ),
        migrations.CreateModel(
            name="Correction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(help_text="What was wrong and what the story says now.")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "revision",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="editorial.revision",
                    ),
                ),
                (
                    "story",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="corrections",
                        to="stories.story",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
            },
        ),
        migrations.AddIndex(
            model_name="correction",
            index=models.Index(fields=["story", "created_at"], name="correction_story_idx"),
        ),
    ]
