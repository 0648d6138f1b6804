"""The page cache stays correct with several gunicorn workers, with Redis and without it.

A real gunicorn (production settings, two workers) serves the test database. This process
publishes and unpublishes through the ORM and commits, as a reviewer's request handled by
another worker, or a `manage.py` command, would. PostgreSQL tells every worker of the change
(digest_site/pages/epochs.py); each must show it within moments of the commit, although it
keeps its own stored pages.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection, transaction

from digest_site.pages.epochs import LISTENER_NAME
from stories.models import Status, Story
from tests.adminform import save_change_form
from tests.processes import database_url, free_port, get, production_env
from tests.processes import gunicorn as serve

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _pages(url, n=16):
    """n requests on fresh connections, so both workers answer some of them."""
    bodies = []
    for _ in range(n):
        with urllib.request.urlopen(url, timeout=10) as response:
            bodies.append((response.headers.get("X-Page-Cache"), response.read().decode()))
    return bodies


def _eventually(url, check, timeout=10):
    """The pages at `url` once every answer passes `check`; fails after `timeout` seconds.
    A stored page that missed the change would keep failing for DIGEST_PAGE_CACHE_SECONDS."""
    deadline = time.monotonic() + timeout
    while True:
        pages = _pages(url)
        if all(check(body) for _, body in pages):
            return pages
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: a worker still serves the page from before the change")
        time.sleep(0.1)


def _unpublish(story):
    story.status = Status.DRAFT
    story.published_at = None
    story.save(update_fields=["status", "published_at"])


@pytest.fixture
def workers():
    env = production_env(DATABASE_URL=database_url(connection.settings_dict))
    with serve(env, ready_path="/robots.txt") as base:
        yield base


def test_publish_and_unpublish_reach_every_worker_without_redis(newsroom, workers):
    url = workers + "/issues/7/"
    before = _pages(url)
    assert any(state == "hit" for state, _ in before)
    assert all("EU investigates TikTok" in body for _, body in before)

    _unpublish(newsroom.eu)
    after = _eventually(url, lambda body: "EU investigates TikTok" not in body)
    assert any(state == "hit" for state, _ in _pages(url))  # and the new page is stored again

    draft = newsroom.hidden["draft"]
    draft.status = Status.PUBLISHED
    draft.published_at = newsroom.issue.published_at
    draft.save(update_fields=["status", "published_at"])
    _eventually(url, lambda body: draft.headline in body)
    assert after


def test_a_change_committed_while_workers_were_not_listening_is_not_hidden(newsroom, workers):
    """The workers' listening connections are cut in the very transaction that unpublishes a
    story, so its notification reaches nobody. Each worker starts a new epoch when it listens
    again: the pages it stored before are never served after."""
    url = workers + "/issues/7/"
    assert any(state == "hit" for state, _ in _pages(url))
    with transaction.atomic():
        _unpublish(newsroom.eu)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = %s",
                [LISTENER_NAME],
            )
            # One listener per worker (and this test process's own, if it has one).
            assert cursor.fetchone()[0] >= 2
    _eventually(url, lambda body: "EU investigates TikTok" not in body)


def test_a_site_settings_change_reaches_every_workers_pages_and_frame(newsroom, workers):
    """Each worker keeps the page frame (masthead, footer) it rendered once, besides its pages:
    the admin's change must still show in every worker's next answer."""
    from sitesettings.models import SiteSettings

    url = workers + "/issues/6/"
    before = _pages(url)
    assert any(state == "hit" for state, _ in before)
    assert all("The Platform Weekly" not in body for _, body in before)
    _pages(workers + "/issues/")  # another page, so each worker's frame is surely kept

    SiteSettings(name="The Platform Weekly", footer="Written in **Shanghai**.").save()
    for page in (url, workers + "/issues/", workers + "/companies/"):
        _eventually(
            page,
            lambda body: (
                '<a href="/">The Platform Weekly</a>' in body
                and "<strong>Shanghai</strong>" in body
            ),
        )


@pytest.fixture
def redis_server():
    if not Path(REDIS).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing: apt-get install redis-server")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    try:
        yield server, f"redis://127.0.0.1:{port}/0"
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGCONT)
            server.terminate()
            server.wait(timeout=10)


def test_redis_stopped_mid_run_leaves_pages_search_and_saves_working(
    newsroom, redis_server, client, editor, settings
):
    server, redis_url = redis_server
    env = production_env(
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=redis_url,
        REDIS_TIMEOUT_MS="300",
    )
    with serve(env, ready_path="/robots.txt") as base:
        url = base + "/issues/7/"
        assert any(state == "hit" for state, _ in _pages(url))
        assert get(base + "/readyz")[0] == 200

        server.terminate()
        server.wait(timeout=10)
        pages = _pages(url)
        assert all("EU investigates TikTok" in body for _, body in pages)
        assert any(state == "hit" for state, _ in pages)
        status, _, body = get(base + "/search/?q=TikTok")
        assert status == 200 and "EU investigates TikTok" in body  # the limit lets it through
        status, _, body = get(base + "/readyz")
        assert status == 503 and '"cache": "down"' in body

        # An editor's save, in a process whose cache is the same stopped Redis.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "OPTIONS": {"socket_timeout": 0.3, "socket_connect_timeout": 0.3},
            }
        }
        story = Story.objects.get(pk=newsroom.hidden["draft"].pk)
        saved = save_change_form(client, editor, story, headline="Saved while Redis was down")
        assert saved.headline == "Saved while Redis was down"

        _unpublish(newsroom.eu)
        _eventually(url, lambda body: "EU investigates TikTok" not in body)
