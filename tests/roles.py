"""Recreate the Editors and Reviewers groups for tests that run with transaction=True.

Those tests end by flushing every table, which removes the groups the data migration made;
whichever transactional test runs next must put them back before its people are created.
"""

import importlib

from django.contrib.auth.models import Group, Permission

_roles = importlib.import_module("stories.migrations.0002_roles")


def ensure_roles():
    for name, codes in (
        ("Editors", _roles.EDITOR_PERMISSIONS),
        ("Reviewers", _roles.REVIEWER_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)
