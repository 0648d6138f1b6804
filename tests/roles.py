"""Put back what migrations made, for tests that run with transaction=True.

Those tests end by flushing every table. serialized_rollback normally restores the migrated
rows, but not once Playwright has started: its greenlet gets fresh database connection objects
that lack the serialized copy. So the content types, permissions and default site (post_migrate)
and the Editors and Reviewers groups (a data migration) are recreated here when missing.
"""

import importlib

from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

# The newest roles migration holds the full lists.
_roles = importlib.import_module("stories.migrations.0018_editors_propose_registry")


def ensure_roles():
    if not Permission.objects.exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
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
