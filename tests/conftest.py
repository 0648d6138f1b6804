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
    """Every test starts with an empty page store and cache: a page stored by one test must not
    answer another test's request, nor a rate-limit count carry over (nor the site settings a
    rolled-back test saved)."""
    from django.core.cache import cache

    from digest_site.pages import store
    from sitesettings.models import forget

    cache.clear()
    store.clear()
    forget()
    yield
    cache.clear()
    store.clear()
    forget()


@pytest.fixture(autouse=True)
def _queue_emptied_after_committing_tests(request, django_db_blocker):
    """The task queue's tables (Procrastinate's) are not Django's models, so a test that
    commits (transaction=True, live_server, real workers) leaves its jobs behind after the
    flush; they are removed here, so no later test sees them (tests.queue.queued)."""
    yield
    marker = request.node.get_closest_marker("django_db")
    committed = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if committed:
        from django.db import connection

        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE procrastinate_events, procrastinate_periodic_defers,"
                " procrastinate_jobs, procrastinate_workers CASCADE"
            )


@pytest.fixture(scope="session", autouse=True)
def _page_listener_stops_before_the_database_goes(django_db_setup):
    """The page cache's listener holds a connection to the test database, which could not be
    dropped at the end while it is open. Depending on django_db_setup makes this run first."""
    yield
    from digest_site.pages import epochs

    epochs.stop_listening()
