"""Roles after the company registry moved to its own app: the same rights, now named
companies.*. (Group rights already followed the content types; this keeps the lists that tests
and fresh databases read in step.)"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    "companies.view_company",
    "companies.view_platform",
    "companies.add_topic",
    "companies.change_topic",
    "companies.view_topic",
    "stories.add_story",
    "stories.change_story",
    "stories.view_story",
    "stories.add_source",
    "stories.change_source",
    "stories.delete_source",
    "stories.view_source",
    "stories.view_correction",
    "editorial.view_transition",
    "editorial.view_revision",
    "issues.add_issue",
    "issues.change_issue",
    "issues.view_issue",
    "issues.add_issuestory",
    "issues.change_issuestory",
    "issues.delete_issuestory",
    "issues.view_issuestory",
]
REVIEWER_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    "stories.publish_story",
    "issues.publish_issue",
    "editorial.add_sharelink",
    "editorial.change_sharelink",
    "editorial.view_sharelink",
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(codes):
        found = []
        for code in codes:
            app_label, codename = code.split(".")
            found.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        return found

    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(permissions(EDITOR_PERMISSIONS))
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.set(permissions(REVIEWER_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0006_registry_moved_to_companies"),
        ("companies", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
