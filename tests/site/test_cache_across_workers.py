"""The page cache stays correct with several gunicorn workers sharing one Redis.

A real gunicorn (production settings, two workers) serves the test database; this process
publishes and unpublishes through the ORM, as a reviewer's request handled by another worker
would. Every worker must show the change on its very next request.
"""

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from stories.models import Status
from tests.processes import database_url, free_port, production_env
from tests.processes import gunicorn as serve

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def redis_url():
    if not Path(REDIS).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing: apt-get install redis-server")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def shared_cache(settings, redis_url):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    return redis_url


@pytest.fixture
def gunicorn(shared_cache):
    env = production_env(
        REDIS_URL=shared_cache,
        CACHE_KEY_PREFIX="",
        DATABASE_URL=database_url(connection.settings_dict),
    )
    with serve(env, ready_path="/robots.txt") as base:
        yield base


def _pages(url, n=16):
    """n requests on fresh connections, so both workers answer some of them."""
    bodies = []
    for _ in range(n):
        with urllib.request.urlopen(url, timeout=10) as response:
            bodies.append((response.headers.get("X-Page-Cache"), response.read().decode()))
    return bodies


def test_publish_and_unpublish_are_seen_by_every_worker(newsroom, gunicorn):
    url = gunicorn + "/issues/7/"
    before = _pages(url)
    assert any(state == "hit" for state, _ in before)
    assert all("EU investigates TikTok" in body for _, body in before)

    story = newsroom.eu
    story.status = Status.DRAFT
    story.published_at = None
    story.save(update_fields=["status", "published_at"])
    after = _pages(url)
    assert all("EU investigates TikTok" not in body for _, body in after)
    assert any(state == "hit" for state, _ in after)  # and the new page is cached again

    draft = newsroom.hidden["draft"]
    draft.status = Status.PUBLISHED
    draft.published_at = newsroom.issue.published_at
    draft.save(update_fields=["status", "published_at"])
    assert all(draft.headline in body for _, body in _pages(url))
