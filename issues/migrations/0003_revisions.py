"""Revision pointers for issues."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("issues", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
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
            model_name="issue",
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
            model_name="issue",
            name="pending_status",
            field=models.CharField(
                blank=True,
                choices=[("draft", "Draft"), ("in_review", "In review")],
                editable=False,
                max_length=16,
                verbose_name="changes waiting",
            ),
        ),
    ]
