"""Search costs real work per query, so one address gets 30 rendered searches a minute; past
that it is told to wait (429 with Retry-After), and other readers are not affected."""

import time
from datetime import timedelta

import pytest
import time_machine

pytestmark = pytest.mark.django_db


def _search(client, query, address="127.0.0.2"):
    return client.get("/search/", {"q": query}, REMOTE_ADDR=address)


def test_a_flood_of_distinct_searches_is_told_to_wait(client, newsroom):
    for n in range(30):
        assert _search(client, f"word{n}").status_code == 200
    refused = _search(client, "one more")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "no-store" in refused["Cache-Control"]
    assert "Slow down" in refused.content.decode()
    # Another reader searches as usual, and the refused query was never stored as a page.
    other = _search(client, "one more", address="127.0.0.3")
    assert other.status_code == 200
    assert other.get("X-Page-Cache") != "hit"


def test_a_page_already_in_the_cache_is_still_served_to_a_limited_address(client, newsroom):
    assert client.get("/search/", REMOTE_ADDR="127.0.0.2").status_code == 200  # stored
    for n in range(30):
        _search(client, f"word{n}")
    assert _search(client, "Alibaba").status_code == 429
    again = client.get("/search/", REMOTE_ADDR="127.0.0.2")
    assert again.status_code == 200
    assert again["X-Page-Cache"] == "hit"


def test_the_limit_lifts_when_the_minute_is_over(client, newsroom):
    for n in range(31):
        _search(client, f"word{n}")
    assert _search(client, "later").status_code == 429
    with time_machine.travel(time.time() + 61):
        assert _search(client, "later").status_code == 200


def test_the_rate_is_a_setting(client, newsroom, settings):
    settings.DIGEST_SEARCH_RATE = "2/m"
    assert _search(client, "a").status_code == 200
    assert _search(client, "b").status_code == 200
    assert _search(client, "c").status_code == 429
    assert timedelta(seconds=int(_search(client, "d")["Retry-After"])) <= timedelta(minutes=1)
