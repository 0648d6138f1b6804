"""The site with its database in trouble, as an operator would see it: a real gunicorn with
production settings. An unreachable database and a table locked past the time limit both give
readers a quick 503 with Retry-After (never a hung worker or a 500); /healthz stays 200."""

import time

import pytest
from django.db import connection, transaction

from tests.processes import database_url, free_port, get, gunicorn, production_env

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
