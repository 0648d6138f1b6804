"""The company registry gets an app of its own: Company, Platform and Topic move here from
`stories` with their rows (the tables are renamed, nothing is copied; the stories' tag tables
keep pointing at them), and their content types and permissions follow, so group rights stay."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

import companies.models

MOVED = ["company", "platform", "topic"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="stories", model__in=MOVED).update(app_label="companies")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="companies", model__in=MOVED).update(app_label="stories")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("stories", "0005_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE stories_{name} RENAME TO companies_{name}",
                    f"ALTER TABLE companies_{name} RENAME TO stories_{name}",
                )
                for name in MOVED
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Company",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        (
                            "slug",
                            models.SlugField(
                                help_text="The last part of the company page's address: /companies/this-part/.",
                                max_length=200,
                            ),
                        ),
                        (
                            "name_zh",
                            models.CharField(
                                blank=True,
                                help_text="For example 阿里巴巴集团.",
                                max_length=200,
                                verbose_name="Chinese name",
                            ),
                        ),
                        (
                            "aliases",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=100),
                                blank=True,
                                default=list,
                                help_text="Other names, spellings and stock tickers, separated by commas (for example: Alibaba, BABA, 9988.HK). Search and tagging use them.",
                                size=None,
                            ),
                        ),
                        ("website", models.URLField(blank=True)),
                        ("headquarters", models.CharField(blank=True, max_length=200)),
                        (
                            "description",
                            models.TextField(
                                blank=True, help_text="A sentence or two for the company page."
                            ),
                        ),
                        ("logo", models.ImageField(blank=True, upload_to="logos/companies/")),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                help_text="The group this company belongs to, e.g. Taobao and Tmall Group → Alibaba Group.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="subsidiaries",
                                to="companies.company",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "companies",
                        "ordering": ["name"],
                    },
                    bases=(companies.models.UsedByStoriesMixin, models.Model),
                ),
                migrations.CreateModel(
                    name="Platform",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        (
                            "slug",
                            models.SlugField(
                                help_text="The last part of the platform page's address: /platforms/this-part/.",
                                max_length=200,
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("social_video", "Social video"),
                                    ("social_network", "Social network"),
                                    ("messaging", "Messaging"),
                                    ("ecommerce", "E-commerce"),
                                    ("search", "Search"),
                                    ("chatbot", "Chatbot / AI assistant"),
                                    ("video_streaming", "Video streaming"),
                                    ("music", "Music"),
                                    ("delivery", "Delivery and local services"),
                                    ("payments", "Payments"),
                                    ("cloud", "Cloud"),
                                    ("other", "Other"),
                                ],
                                default="other",
                                max_length=32,
                            ),
                        ),
                        (
                            "aliases",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=100),
                                blank=True,
                                default=list,
                                help_text="Other names, spellings and stock tickers, separated by commas (for example: Alibaba, BABA, 9988.HK). Search and tagging use them.",
                                size=None,
                            ),
                        ),
                        ("website", models.URLField(blank=True)),
                        ("logo", models.ImageField(blank=True, upload_to="logos/platforms/")),
                        (
                            "owner",
                            models.ForeignKey(
                                help_text="The company that runs it, e.g. ByteDance for TikTok and Douyin.",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="platforms",
                                to="companies.company",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["name"],
                    },
                    bases=(companies.models.UsedByStoriesMixin, models.Model),
                ),
                migrations.CreateModel(
                    name="Topic",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=100)),
                        (
                            "slug",
                            models.SlugField(
                                help_text="The last part of the topic page's address: /topics/this-part/.",
                                max_length=100,
                            ),
                        ),
                        ("description", models.TextField(blank=True)),
                    ],
                    options={
                        "ordering": ["name"],
                        "constraints": [
                            models.UniqueConstraint(fields=("slug",), name="topic_slug_unique")
                        ],
                    },
                    bases=(companies.models.UsedByStoriesMixin, models.Model),
                ),
                migrations.AddConstraint(
                    model_name="company",
                    constraint=models.UniqueConstraint(
                        fields=("slug",), name="company_slug_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="company",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("parent", models.F("pk")), _negated=True),
                        name="company_not_own_parent",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="platform",
                    constraint=models.UniqueConstraint(
                        fields=("slug",), name="platform_slug_unique"
                    ),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
