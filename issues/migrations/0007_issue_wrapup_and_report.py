import importlib

from django.db import migrations, models


def render_contents_again(apps, schema_editor):
    """The wrap-up now prints under its heading: store every issue's contents again, as
    0005 first stored them."""
    importlib.import_module("issues.migrations.0005_issue_contents").render_parts(
        apps, schema_editor
    )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("issues", "0006_social_card"),
        ("stories", "0016_chips_by_relevance"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="report_title",
            field=models.CharField(
                blank=True,
                help_text="The words readers click to open the longer report, saying what it is: “Our November report on China's platforms”, not “click here”.",
                max_length=200,
                verbose_name="full report: link text",
            ),
        ),
        migrations.AddField(
            model_name="issue",
            name="report_url",
            field=models.URLField(
                blank=True,
                help_text="Where the longer report is, for example https://example.com/reports/november/. Shown at the end of the issue, under the wrap-up.",
                max_length=500,
                verbose_name="full report: address",
            ),
        ),
        migrations.AddField(
            model_name="issue",
            name="wrapup_heading",
            field=models.CharField(
                default="Wrapping up",
                help_text="The heading above the wrap-up (and the report link).",
                max_length=100,
                verbose_name="wrap-up heading",
            ),
        ),
        migrations.AddConstraint(
            model_name="issue",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("report_title", ""), ("report_url", "")),
                    models.Q(
                        models.Q(("report_title", ""), _negated=True),
                        ("report_url__regex", "^https?://"),
                    ),
                    _connector="OR",
                ),
                name="issue_report_link_whole",
            ),
        ),
        migrations.RunPython(render_contents_again, migrations.RunPython.noop),
    ]
