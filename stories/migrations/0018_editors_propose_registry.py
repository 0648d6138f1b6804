"""Editors may propose companies and platforms (created pending a reviewer's approval, see
companies.models.ProposableMixin) and edit them; names in public use stay reviewers' to change
(companies.admin.PublicNameMixin). Reviewers, who approve, hold the same rights."""

import importlib

from django.contrib.auth.management import create_permissions
from django.db import migrations

_before = importlib.import_module("stories.migrations.0013_authors")

REGISTRY_PERMISSIONS = [
    "companies.add_company",
    "companies.change_company",
    "companies.add_platform",
    "companies.change_platform",
]
EDITOR_PERMISSIONS = [*_before.EDITOR_PERMISSIONS, *REGISTRY_PERMISSIONS]
REVIEWER_PERMISSIONS = [*_before.REVIEWER_PERMISSIONS, *REGISTRY_PERMISSIONS]


def add_registry_rights(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    app_config = apps.get_app_config("companies")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(
        content_type__app_label="companies",
        codename__in=[code.split(".")[1] for code in REGISTRY_PERMISSIONS],
    )
    for name in ("Editors", "Reviewers"):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*rights)


def remove_registry_rights(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(
        content_type__app_label="companies",
        codename__in=[code.split(".")[1] for code in REGISTRY_PERMISSIONS],
    )
    for group in Group.objects.filter(name__in=["Editors", "Reviewers"]):
        group.permissions.remove(*rights)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0017_content_changed_at"),
        ("companies", "0006_proposals"),
    ]

    operations = [migrations.RunPython(add_registry_rights, remove_registry_rights)]
