"""The site with its database in trouble, as an operator would see it: a real gunicorn with
production settings. An unreachable database and a table locked past the time limit both give
readers a quick 503 with Retry-After (never a hung worker or a 500); /healthz stays 200."""

import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from tests.processes import (
    ROOT,
    database_url,
    free_port,
    get,
    gunicorn,
    production_env,
    socket_dir,
    start_postgres,
    stop_postgres,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_unreachable_database_gives_503_with_retry_after_and_healthz_stays_up():
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/digest"  # nothing listens there
    with gunicorn(production_env(DATABASE_URL=nowhere)) as base:
        assert get(base + "/healthz")[0] == 200
        status, _, body = get(base + "/readyz")
        assert status == 503 and '"database": "down"' in body
        for path in ("/", "/issues/7/", "/companies/"):
            started = time.monotonic()
            status, headers, body = get(base + path)
            assert status == 503, path
            assert headers["Retry-After"] == "30"
            assert "Back in a moment" in body
            assert time.monotonic() - started < 5


def test_a_table_locked_past_the_time_limit_gives_503_then_the_page_comes_back(newsroom):
    env = production_env(
        DATABASE_URL=database_url(connection.settings_dict),
        DIGEST_DB_STATEMENT_TIMEOUT_MS="1000",
        DIGEST_DB_LOCK_TIMEOUT_MS="500",
    )
    story = newsroom.eu
    # One worker, so the page it stored is the one asked for again.
    with gunicorn(env, workers=1) as base:
        stored = f"{base}/issues/7/"
        url = f"{base}{story.get_absolute_url()}"
        assert get(stored)[0] == 200
        with transaction.atomic(), connection.cursor() as cursor:
            # A migration or a long batch job holding the stories table.
            cursor.execute("LOCK TABLE stories_story IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            status, headers, body = get(url)
            waited = time.monotonic() - started
            assert status == 503
            assert headers["Retry-After"] == "30"
            assert waited < 5  # the lock limit, not gunicorn's 30 s timeout
            assert get(base + "/healthz")[0] == 200
            # Nothing changed, so a page stored before the lock is still true, and served.
            status, headers, body = get(stored)
            assert status == 200 and headers["X-Page-Cache"] == "hit"
        status, _, body = get(url)
        assert status == 200
        assert story.headline in body


def test_postgresql_stopped_and_restarted_gives_503_then_fresh_pages(tmp_path):
    """While PostgreSQL is down, readers get the 503 page, not pages stored before (the
    process cannot hear of changes then); once it is back the site recovers by itself and
    starts its store afresh."""
    data_dir = tmp_path / "pgdata"
    started = start_postgres(data_dir)
    assert started.returncode == 0, started.stderr[-2000:]
    try:
        env = production_env(
            DATABASE_URL=f"postgres://postgres@{quote(socket_dir(started), safe='')}/digest"
        )
        for command in (["migrate", "--noinput", "-v0"], ["load_demo", "--force"]):
            done = subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=ROOT, env=env, capture_output=True, text=True,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr[-3000:]
        with gunicorn(env, workers=1) as base:
            url = base + "/issues/47/"
            assert get(url)[0] == 200
            assert get(url)[1]["X-Page-Cache"] == "hit"

            stop_postgres(data_dir)
            status, headers, _ = _settled(url, lambda status: status == 503)
            assert headers["Retry-After"] == "30"
            assert get(base + "/healthz")[0] == 200

            assert start_postgres(data_dir).returncode == 0
            status, headers, body = _settled(url, lambda status: status == 200)
            # Nothing from before the outage: rendered ("pass" until the worker listens
            # again, then stored afresh: "miss").
            assert headers["X-Page-Cache"] in ("pass", "miss")
            assert "Issue #47" in body
            deadline = time.monotonic() + 30
            while get(url)[1]["X-Page-Cache"] != "hit":
                assert time.monotonic() < deadline, "the worker never stored pages again"
                time.sleep(0.2)
    finally:
        if (data_dir / "postmaster.pid").exists():
            stop_postgres(data_dir)


def _settled(url, wanted, timeout=30):
    """The first answer whose status is `wanted`, polling; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        status, headers, body = get(url)
        if wanted(status):
            return status, headers, body
        assert time.monotonic() < deadline, f"{url} still answers {status}"
        time.sleep(0.2)
