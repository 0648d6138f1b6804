"""Named people for every test: Alice the admin, Erin the editor, Rita the reviewer, and a reader."""

import pytest
from django.contrib.auth.models import Group, User

from tests.roles import ensure_roles


def _user(username, *, groups=(), **kwargs):
    user = User.objects.create_user(
        username, f"{username}@example.com", "correct horse battery staple", **kwargs
    )
    if groups and Group.objects.filter(name__in=groups).count() < len(groups):
        # A transactional test flushed the tables, taking the migration-made groups with it.
        ensure_roles()
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def admin_user(db):
    return _user("alice", is_staff=True, is_superuser=True)


@pytest.fixture
def editor(db):
    return _user("erin", groups=["Editors"], is_staff=True)


@pytest.fixture
def other_editor(db):
    return _user("ed", groups=["Editors"], is_staff=True)


@pytest.fixture
def reviewer(db):
    return _user("rita", groups=["Reviewers"], is_staff=True)


@pytest.fixture
def other_reviewer(db):
    return _user("rob", groups=["Reviewers"], is_staff=True)


@pytest.fixture
def reader(db):
    """A logged-in account with no staff rights: must see exactly what anonymous visitors see."""
    return _user("rex")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty page cache: a page cached by one test must not answer
    another test's request."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
