"""Public pages go out compressed to clients that accept it, compressed once when stored;
private answers go out plain (BREACH). See digest_site/pages/encoding.py."""

import gzip

import brotli
import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from digest_site.pages import encoding, store
from digest_site.pages.middleware import _deliver, _rendered

pytestmark = pytest.mark.django_db

BROWSER = "gzip, deflate, br, zstd"  # what Chromium sends
DECODE = {"gzip": gzip.decompress, "br": brotli.decompress}


def get(client, url, accept=None, **headers):
    if accept is not None:
        headers["Accept-Encoding"] = accept
    return client.get(url, headers=headers)


@pytest.fixture
def compressions(monkeypatch):
    """How often a page was compressed, by encoding."""
    calls = []
    real = encoding.compress

    def counting(content, name):
        calls.append(name)
        return real(content, name)

    monkeypatch.setattr(encoding, "compress", counting)
    return calls


@pytest.mark.parametrize(
    "url", ["/", "/issues/", "/issues/7/", "/companies/alibaba-group/", "/feeds/issues/atom/",
            "/sitemap-stories.xml", "/stories/eu-investigates-tiktok/"],
)  # fmt: skip
def test_a_page_is_the_same_page_in_every_encoding(client, newsroom, url):
    plain = get(client, url)
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain
    assert plain["Vary"] == "Accept-Encoding"
    etags = {plain["ETag"]}
    for accept, expected in (("gzip", "gzip"), (BROWSER, "br"), ("br;q=0, gzip", "gzip")):
        response = get(client, url, accept)
        assert response["Content-Encoding"] == expected, accept
        assert response["Vary"] == "Accept-Encoding"
        assert DECODE[expected](response.content) == plain.content
        assert int(response["Content-Length"]) == len(response.content) < len(plain.content)
        etags.add(response["ETag"])
    assert len(etags) == 3  # one strong ETag per encoding: different bytes, different tags


def test_clients_that_accept_no_compression_get_plain_bytes(client, newsroom):
    get(client, "/issues/7/", BROWSER)  # stored, with its compressed copies
    for accept in (None, "", "identity", "gzip;q=0", "deflate", "*;q=0", "zstd"):
        response = get(client, "/issues/7/", accept)
        assert response["X-Page-Cache"] == "hit"
        assert "Content-Encoding" not in response, accept
        assert b"Day and the EU" in response.content
        assert int(response["Content-Length"]) == len(response.content)


def test_a_page_is_compressed_once_when_stored_and_never_on_a_hit(client, newsroom, compressions):
    first = get(client, "/issues/7/", "gzip")
    assert first["X-Page-Cache"] == "miss"
    assert sorted(compressions) == ["br", "gzip"]
    (page,) = [page for key, page in store._pages.items() if key.endswith("/issues/7/?")]
    assert set(page.encoded) == {"br", "gzip"}
    assert gzip.decompress(page.encoded["gzip"].content) == page.content
    for accept in ("gzip", BROWSER, None, "gzip", BROWSER):
        assert get(client, "/issues/7/", accept)["X-Page-Cache"] == "hit"
    assert sorted(compressions) == ["br", "gzip"]  # nothing more


def test_a_browser_holding_a_page_gets_304_in_its_own_encoding(client, newsroom):
    for accept in ("gzip", BROWSER, None):
        first = get(client, "/issues/7/", accept)
        again = get(client, "/issues/7/", accept, **{"If-None-Match": first["ETag"]})
        assert again.status_code == 304, accept
        assert again["ETag"] == first["ETag"]
        assert again["Vary"] == "Accept-Encoding"
    # The gzip copy's tag does not match the plain bytes: a client that stopped accepting gzip
    # gets the page again, plain.
    gzipped = get(client, "/issues/7/", "gzip")
    plain = get(client, "/issues/7/", None, **{"If-None-Match": gzipped["ETag"]})
    assert plain.status_code == 200 and "Content-Encoding" not in plain


def test_a_page_that_is_not_stored_is_compressed_for_its_answer(client, newsroom, compressions):
    response = get(client, "/search/?q=alibaba", "gzip")
    assert response["X-Page-Cache"] == "pass"
    assert response["Content-Encoding"] == "gzip"
    assert b"Singles" in gzip.decompress(response.content)
    assert compressions == ["gzip"]  # just the one it answers with


def test_a_page_cache_switched_off_still_compresses(client, newsroom, settings):
    settings.DIGEST_PAGE_CACHE_SECONDS = 0
    response = get(client, "/issues/7/", "gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"Day and the EU" in gzip.decompress(response.content)


def test_pages_for_people_signed_in_and_the_admin_go_out_plain(newsroom, editor):
    """They carry CSRF tokens and private data: compressing them is what BREACH needs."""
    client = Client()
    client.force_login(editor)
    for url in ("/issues/7/", "/admin/", "/admin/stories/story/"):
        response = get(client, url, BROWSER)
        assert response.status_code == 200, url
        assert "Content-Encoding" not in response, url
        assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_a_public_page_that_sets_a_cookie_goes_out_plain_and_unstored():
    request = RequestFactory().get("/somewhere/", headers={"Accept-Encoding": "gzip"})
    response = _rendered(request, HttpResponse("<p>a form</p>" * 100))
    response.set_cookie("csrftoken", "secret")
    answer = _deliver(request, response)
    assert "Content-Encoding" not in answer
    assert answer.content.startswith(b"<p>a form</p>")


def test_small_and_binary_answers_go_out_as_they_are():
    request = RequestFactory().get("/", headers={"Accept-Encoding": "gzip"})
    small = _deliver(request, _rendered(request, HttpResponse("<p>tiny</p>")))
    image = _rendered(request, HttpResponse(b"\x89PNG" + b"\0" * 500, content_type="image/png"))
    image = _deliver(request, image)
    assert "Content-Encoding" not in small and "Content-Encoding" not in image


@pytest.mark.parametrize(
    "header, expected",
    [
        ("", None),
        ("gzip", "gzip"),
        ("GZIP", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("br;q=0, gzip;q=0", None),
        ("br;q=nonsense, gzip", "gzip"),
        ("*", "br"),
        ("*;q=0.1, br;q=0", "gzip"),
        ("identity", None),
        (" gzip ; q=1.0 ", "gzip"),
    ],
)
def test_accept_encoding_is_read_as_http_says(header, expected):
    assert encoding.accepted(header) == expected
