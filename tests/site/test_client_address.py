"""Sign-in throttling and the search rate limit count the client's address. Without a proxy
that is the connection's, and an X-Forwarded-For header (anyone can send one) changes nothing;
behind nginx (DIGEST_TRUSTED_PROXIES=1) it is the address nginx appended to that header, and
whatever a client wrote before it is still ignored.

Mallory guesses from 203.0.113.66 and invents a new X-Forwarded-For for every request; Nina and
Olaf read from 198.51.100.1 and 198.51.100.2, all of them through the same proxy at 10.0.0.2.
"""

import pytest
from axes.models import AccessFailureLog
from django.test import RequestFactory
from django.urls import reverse

from digest_site.clients import client_address

PROXY = "10.0.0.2"
MALLORY, NINA, OLAF = "203.0.113.66", "198.51.100.1", "198.51.100.2"


def _request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.DIGEST_TRUSTED_PROXIES = 0
    assert client_address(_request(MALLORY, "1.2.3.4")) == MALLORY
    assert client_address(_request(MALLORY, f"1.2.3.4, {NINA}")) == MALLORY


def test_behind_one_proxy_the_address_it_appended_counts(settings):
    settings.DIGEST_TRUSTED_PROXIES = 1
    assert client_address(_request(PROXY, NINA)) == NINA
    # Mallory's own header comes first; nginx appended the address it really saw.
    assert client_address(_request(PROXY, f"1.2.3.4, 5.6.7.8, {MALLORY}")) == MALLORY


def test_behind_two_proxies_the_outer_ones_entry_counts(settings):
    settings.DIGEST_TRUSTED_PROXIES = 2
    assert client_address(_request(PROXY, f"1.2.3.4, {NINA}, 10.0.0.1")) == NINA


def test_a_missing_or_broken_forwarded_entry_falls_back_to_the_connection(settings):
    settings.DIGEST_TRUSTED_PROXIES = 1
    assert client_address(_request(PROXY)) == PROXY
    assert client_address(_request(PROXY, "not-an-address")) == PROXY
    settings.DIGEST_TRUSTED_PROXIES = 2
    assert client_address(_request(PROXY, NINA)) == PROXY


@pytest.mark.django_db
class TestSearchRateLimit:
    def _search(self, client, query, remote, forwarded):
        return client.get(
            "/search/", {"q": query}, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
        )

    def test_a_new_forged_header_per_request_does_not_reset_the_count(self, client, settings):
        settings.DIGEST_SEARCH_RATE = "2/m"
        settings.DIGEST_TRUSTED_PROXIES = 0
        codes = [
            self._search(client, f"q{n}", MALLORY, f"192.0.2.{n}").status_code for n in range(3)
        ]
        assert codes == [200, 200, 429]

    def test_readers_behind_the_proxy_are_counted_apart(self, client, settings):
        settings.DIGEST_SEARCH_RATE = "2/m"
        settings.DIGEST_TRUSTED_PROXIES = 1
        codes = [
            self._search(client, f"q{n}", PROXY, f"192.0.2.{n}, {NINA}").status_code
            for n in range(3)
        ]
        assert codes == [200, 200, 429]
        assert self._search(client, "mine", PROXY, OLAF).status_code == 200


@pytest.mark.django_db
class TestSignInThrottling:
    def _guess(self, client, username, remote, forwarded):
        return client.post(
            reverse("admin:login"),
            {"username": username, "password": "guess", "next": "/admin/"},
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    def test_forged_headers_do_not_spread_the_guesses(self, client, settings, reviewer):
        settings.DIGEST_TRUSTED_PROXIES = 0
        for n, name in enumerate(("anna", "bob", "carl", "dora", "emil")):
            self._guess(client, name, MALLORY, f"192.0.2.{n}")
        assert self._guess(client, "rita", MALLORY, "192.0.2.99").status_code == 429
        assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {MALLORY}

    def test_behind_the_proxy_the_guesser_is_paused_and_others_are_not(
        self, client, settings, reviewer
    ):
        settings.DIGEST_TRUSTED_PROXIES = 1
        for n, name in enumerate(("anna", "bob", "carl", "dora", "emil")):
            self._guess(client, name, PROXY, f"192.0.2.{n}, {MALLORY}")
        assert self._guess(client, "rita", PROXY, f"192.0.2.99, {MALLORY}").status_code == 429
        assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {MALLORY}
        # Nina, behind the same proxy, is asked for her password as usual.
        assert self._guess(client, "nina", PROXY, NINA).status_code == 200
