"""The registry's models moved to `companies` (tables renamed there): state only here."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0001_initial"),
        ("stories", "0005_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="company",
                    name="parent",
                ),
                migrations.RemoveField(
                    model_name="platform",
                    name="owner",
                ),
                migrations.DeleteModel(
                    name="Topic",
                ),
                migrations.AlterField(
                    model_name="story",
                    name="companies",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="Companies the story is about.",
                        related_name="stories",
                        to="companies.company",
                    ),
                ),
                migrations.AlterField(
                    model_name="story",
                    name="platforms",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="Apps and services the story is about.",
                        related_name="stories",
                        to="companies.platform",
                    ),
                ),
                migrations.AlterField(
                    model_name="story",
                    name="topics",
                    field=models.ManyToManyField(
                        blank=True, related_name="stories", to="companies.topic"
                    ),
                ),
                migrations.DeleteModel(
                    name="Company",
                ),
                migrations.DeleteModel(
                    name="Platform",
                ),
            ],
        ),
    ]
