"""The shipped front proxy: nginx with deploy/nginx/digest.conf.template in front of a real
gunicorn (production settings, two sync workers), as docker-compose runs it.

It must buffer (slow clients never hold a gunicorn worker), serve /static/ and /media/ from
disk with safe headers, keep anonymous pages for one second, and never hand a page rendered
for someone signed in to anyone else, nor an anonymous copy to someone signed in. Erin is an
editor; the reader has no cookie at all.

The rules about which answers may be stored are checked against a scripted upstream too: Django
never answers `public` with a Set-Cookie, so only a server that does can show nginx refusing it.
"""

import contextlib
import gzip
import http.client
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest
from axes.models import AccessFailureLog
from django.db import connection
from django.test import Client

from tests.processes import (
    NGINX,
    ROOT,
    SECRET,
    database_url,
    free_port,
    gunicorn,
    nginx,
    nginx_test,
    production_env,
    write_nginx_config,
)
from tests.site.conftest import HIDDEN

STATIC_ROOT = ROOT / "var" / "staticfiles"


@pytest.fixture(scope="module", autouse=True)
def _nginx_installed():
    if not Path(NGINX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing: apt-get install nginx (make test-tools does)")
        pytest.skip("nginx is not installed (apt-get install nginx)")


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def web(django_db_setup, media_root):
    """gunicorn behind the proxy: base URL. It trusts one proxy hop, as in docker-compose."""
    env = production_env(
        DATABASE_URL=database_url(connection.settings_dict),
        MEDIA_ROOT=str(media_root),
        DIGEST_TRUSTED_PROXIES="1",
    )
    with gunicorn(env, workers=2) as base:
        yield base


@pytest.fixture
def proxy(web, media_root, tmp_path):
    """A fresh nginx (and so an empty micro-cache) for each test: its base URL."""
    with nginx(
        tmp_path,
        upstream=urlsplit(web).netloc,
        static_root=STATIC_ROOT,
        media_root=media_root,
    ) as base:
        yield base


def fetch(url, headers=None, method="GET", source="127.0.0.1", body=None, timeout=15):
    """(status, headers, body) over a fresh connection from `source` (a loopback address)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=timeout, source_address=(source, 0)
    )
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def quickly(*requests, attempts=6):
    """The answers to `requests` (callables) made one after another, all within 0.8 s, so the
    micro-cache's one second cannot run out between them. Retried on a slow machine."""
    for _ in range(attempts):
        started = time.monotonic()
        answers = [request() for request in requests]
        if time.monotonic() - started < 0.8:
            return answers
        time.sleep(1.1)  # let whatever was stored expire, then try again
    raise AssertionError("the machine is too busy: no two requests within 0.8 s")


def session_cookie(settings, user):
    """Erin's session, made here and readable by the gunicorn (same database, same secret)."""
    settings.SECRET_KEY = SECRET
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


# --- The configuration and plain serving -------------------------------------------------------


def test_nginx_accepts_the_configuration(tmp_path):
    conf = write_nginx_config(
        tmp_path, upstream="127.0.0.1:9", port=free_port(), static_root="/srv/s", media_root="/m"
    )
    status, output = nginx_test(conf)
    assert status == 0, output
    assert "test is successful" in output


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_is_served_through_the_proxy_with_the_clients_host_and_scheme(newsroom, proxy):
    # A client's own X-Forwarded-Proto is replaced by the proxy's scheme (plain HTTP here).
    status, headers, body = fetch(proxy + "/issues/", {"X-Forwarded-Proto": "https"})
    assert status == 200
    assert "Day and the EU" in body.decode()  # issue 7's title
    # Django built its canonical address from the Host the client sent to nginx, port included.
    assert f'<link rel="canonical" href="{proxy}/issues/">' in body.decode()
    assert headers["X-Cache-Status"] == "MISS"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_client_address_reaches_django_through_the_proxy(proxy):
    """A wrong password sent from 127.0.0.2 with a forged X-Forwarded-For is logged (and
    counted by the throttle) as 127.0.0.2: nginx appended it, and gunicorn trusts one hop.
    nginx itself connects to gunicorn from 127.0.0.1."""
    status, headers, body = fetch(proxy + "/admin/login/", source="127.0.0.2")
    assert status == 200
    csrf_cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = body.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    form = f"csrfmiddlewaretoken={token}&username=erin&password=guess&next=/admin/"
    status, _, _ = fetch(
        proxy + "/admin/login/",
        {
            "Cookie": csrf_cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Forwarded-For": "192.0.2.1",
        },
        method="POST",
        source="127.0.0.2",
        body=form,
    )
    assert status == 200  # the form again, with an error
    assert list(AccessFailureLog.objects.values_list("ip_address", flat=True)) == ["127.0.0.2"]


def test_an_upload_over_10_mb_is_refused_by_the_proxy(proxy):
    status, _, _ = fetch(
        proxy + "/admin/login/",
        {"Content-Length": str(11 * 1024 * 1024), "Content-Type": "application/octet-stream"},
        method="POST",
    )
    assert status == 413


# --- The micro-cache ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_second_anonymous_request_within_a_second_is_a_cache_hit(newsroom, proxy):
    url = proxy + "/issues/7/"
    (s1, first, body1), (s2, second, body2), (s3, head, body3) = quickly(
        lambda: fetch(url), lambda: fetch(url), lambda: fetch(url, method="HEAD")
    )
    assert (s1, s2, s3) == (200, 200, 200)
    assert first["X-Cache-Status"] == "MISS"
    assert second["X-Cache-Status"] == "HIT"
    assert head["X-Cache-Status"] == "HIT" and body3 == b""
    assert body1 == body2
    # Kept for one second: nginx counts whole seconds, so a copy is gone two seconds later.
    time.sleep(2.1)
    _, later, _ = fetch(url)
    assert later["X-Cache-Status"] in {"EXPIRED", "MISS"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_pass_through_compressed_as_django_made_them_and_plain_to_the_rest(newsroom, proxy):
    url = proxy + "/issues/7/"
    (_, plain_headers, plain), (_, gzip_headers, gzipped), (_, br_headers, brotlied) = quickly(
        lambda: fetch(url),
        lambda: fetch(url, {"Accept-Encoding": "gzip"}),
        lambda: fetch(url, {"Accept-Encoding": "gzip, deflate, br"}),
    )
    assert "Content-Encoding" not in plain_headers and b"Day and the EU" in plain
    assert gzip_headers["Content-Encoding"] == "gzip"
    assert br_headers["Content-Encoding"] == "br"
    assert gzip.decompress(gzipped) == brotli.decompress(brotlied) == plain
    for headers in (plain_headers, gzip_headers, br_headers):
        assert "Accept-Encoding" in headers["Vary"]
        # Each variant came from gunicorn: none was handed the copy made for another.
        assert headers["X-Cache-Status"] == "MISS"
    assert len({plain_headers["ETag"], gzip_headers["ETag"], br_headers["ETag"]}) == 3
    _, again, body = fetch(url, {"Accept-Encoding": "gzip"})
    assert again["Content-Encoding"] == "gzip" and gzip.decompress(body) == plain
    # A browser holding the gzip copy is told it still has it.
    status, _, _ = fetch(url, {"Accept-Encoding": "gzip", "If-None-Match": gzip_headers["ETag"]})
    assert status == 304


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_for_someone_signed_in_is_never_stored_for_anonymous_readers(
    newsroom, proxy, settings, editor
):
    cookie = session_cookie(settings, editor)
    draft = newsroom.hidden["draft"]
    url = f"{proxy}/preview/stories/{draft.pk}/"
    (s1, erins, body1), (s2, anonymous, body2) = quickly(
        lambda: fetch(url, {"Cookie": cookie}), lambda: fetch(url)
    )
    assert s1 == 200 and HIDDEN in body1.decode()  # Erin previews the draft
    assert erins["X-Cache-Status"] == "BYPASS"
    assert s2 == 404 and HIDDEN not in body2.decode()
    assert anonymous["X-Cache-Status"] == "MISS"

    # The same on a public page: Erin's copy (private to her) is not what readers get.
    page = proxy + "/issues/7/"
    (_, erins, _), (_, reader, _) = quickly(
        lambda: fetch(page, {"Cookie": cookie}), lambda: fetch(page)
    )
    assert erins["X-Cache-Status"] == "BYPASS" and "private" in erins["Cache-Control"]
    assert reader["X-Cache-Status"] == "MISS" and "public" in reader["Cache-Control"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_someone_signed_in_never_gets_the_anonymous_copy(newsroom, proxy, settings, editor):
    cookie = session_cookie(settings, editor)
    page = proxy + "/issues/7/"
    (_, _, _), (_, cached, _), (_, erins, _), (_, with_csrf, _), (_, after, _) = quickly(
        lambda: fetch(page),
        lambda: fetch(page),
        lambda: fetch(page, {"Cookie": cookie}),
        lambda: fetch(page, {"Cookie": "csrftoken=abc"}),
        lambda: fetch(page),
    )
    assert cached["X-Cache-Status"] == "HIT"
    assert erins["X-Cache-Status"] == "BYPASS"
    assert "private" in erins["Cache-Control"]  # rendered for her, not the stored copy
    assert with_csrf["X-Cache-Status"] == "BYPASS"
    # ...and neither of them replaced the stored anonymous copy.
    assert after["X-Cache-Status"] == "HIT" and "public" in after["Cache-Control"]


# --- Which answers may be stored: a scripted upstream ------------------------------------------


class _Scripted(BaseHTTPRequestHandler):
    """Answers 200 with the headers its path names, and counts the requests that reach it."""

    ANSWERS = {
        "/public": [("Cache-Control", "public, max-age=60")],
        "/private": [("Cache-Control", "private")],
        "/no-store": [("Cache-Control", "no-store")],
        "/no-cache": [("Cache-Control", "private, no-cache")],
        "/set-cookie": [("Cache-Control", "public, max-age=60"), ("Set-Cookie", "csrftoken=x")],
        "/vary": [("Cache-Control", "public, max-age=60"), ("Vary", "Accept-Language")],
        "/vary-all": [("Cache-Control", "public, max-age=60"), ("Vary", "*")],
        # Large enough for nginx's gzip (over gzip_min_length), as a private admin page is.
        "/private-page": [("Cache-Control", "private")],
        # Gzip to clients that accept it, as Django answers a public page.
        "/encoded": [("Cache-Control", "public, max-age=60"), ("Vary", "Accept-Encoding")],
    }

    def do_GET(self):
        self.server.hits[self.path] = self.server.hits.get(self.path, 0) + 1
        answer = {
            "n": self.server.hits[self.path],
            "language": self.headers.get("Accept-Language"),
            "encoding": self.headers.get("Accept-Encoding"),
        }
        if self.path == "/private-page":
            answer["padding"] = "csrf-token " * 500
        body = json.dumps(answer).encode()
        headers = list(self.ANSWERS[self.path])
        if self.path == "/encoded" and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        self.send_response(200)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def scripted(tmp_path, media_root):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    server.hits = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with nginx(
            tmp_path,
            upstream=f"127.0.0.1:{server.server_port}",
            static_root=STATIC_ROOT,
            media_root=media_root,
        ) as base:
            yield base, server.hits
    finally:
        server.shutdown()
        server.server_close()


def _twice(url, headers=None):
    return [json.loads(body) for _, _, body in quickly(*[lambda: fetch(url, headers)] * 2)]


def test_a_public_answer_is_stored(scripted):
    base, hits = scripted
    # (http.client sends Accept-Encoding: identity, and nginx passes it on.)
    answer = {"n": 1, "language": None, "encoding": "identity"}
    assert _twice(base + "/public") == [answer] * 2
    assert hits["/public"] == 1


@pytest.mark.parametrize("path", ["/private", "/no-store", "/no-cache", "/set-cookie", "/vary-all"])
def test_private_answers_and_answers_that_set_cookies_are_not_stored(scripted, path):
    base, hits = scripted
    assert [answer["n"] for answer in _twice(base + path)] == [1, 2]
    assert hits[path] == 2


@pytest.mark.parametrize("cookie", ["sessionid=abc", "csrftoken=abc", "theme=dark"])
def test_a_request_with_a_cookie_neither_reads_nor_fills_the_cache(scripted, cookie):
    base, hits = scripted
    url = base + "/public"
    answers = quickly(
        lambda: fetch(url), lambda: fetch(url, {"Cookie": cookie}), lambda: fetch(url)
    )
    assert [json.loads(body)["n"] for _, _, body in answers] == [1, 2, 1]
    assert [headers["X-Cache-Status"] for _, headers, _ in answers] == ["MISS", "BYPASS", "HIT"]


def test_an_answer_that_varies_goes_only_to_clients_that_match(scripted):
    base, _ = scripted
    url = base + "/vary"
    english, chinese, english_again = quickly(
        lambda: fetch(url, {"Accept-Language": "en"}),
        lambda: fetch(url, {"Accept-Language": "zh"}),
        lambda: fetch(url, {"Accept-Language": "en"}),
    )
    assert json.loads(english[2])["language"] == "en"
    assert json.loads(chinese[2])["language"] == "zh"
    assert json.loads(english_again[2])["language"] == "en"


def test_each_encoding_is_kept_apart_and_reaches_only_clients_that_accept_it(scripted):
    """Django picks the encoding from the client's Accept-Encoding, which nginx passes on; the
    micro-cache keeps one copy per Accept-Encoding (Vary) and never mixes them up."""
    base, hits = scripted
    url = base + "/encoded"
    (_, zipped_headers, zipped), (_, plain_headers, plain), (_, again_headers, again) = quickly(
        lambda: fetch(url, {"Accept-Encoding": "gzip"}),
        lambda: fetch(url),
        lambda: fetch(url, {"Accept-Encoding": "gzip"}),
    )
    assert zipped_headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped)) == {"n": 1, "language": None, "encoding": "gzip"}
    assert "Content-Encoding" not in plain_headers  # a client without gzip reads it
    assert json.loads(plain) == {"n": 2, "language": None, "encoding": "identity"}
    assert again_headers["X-Cache-Status"] == "HIT" and again == zipped
    assert hits["/encoded"] == 2


def test_the_proxy_compresses_nothing_django_sent_plain(scripted):
    """Private pages carry CSRF tokens: compressing them is what BREACH needs."""
    base, _ = scripted
    status, headers, body = fetch(base + "/private-page", {"Accept-Encoding": "gzip"})
    assert status == 200 and len(body) > 1024
    assert "Content-Encoding" not in headers
    assert json.loads(body)["encoding"] == "gzip"


# --- Static files and uploads from disk --------------------------------------------------------


def _hashed(name):
    manifest = json.loads((STATIC_ROOT / "staticfiles.json").read_text())
    return manifest["paths"][name]


def test_collected_static_files_are_served_from_disk(proxy):
    hashed = _hashed("admin/css/base.css")
    status, headers, body = fetch(f"{proxy}/static/{hashed}")
    assert status == 200
    assert body == (STATIC_ROOT / hashed).read_bytes()
    assert headers["Content-Type"] == "text/css"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Cache-Status" not in headers  # nginx read the file; gunicorn was not asked
    # WhiteNoise's compressed copy, for clients that take it.
    _, gzipped, _ = fetch(f"{proxy}/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert gzipped["Content-Encoding"] == "gzip"
    # A name without the hash may change with the next release: a short lifetime.
    _, unhashed, _ = fetch(f"{proxy}/static/admin/css/base.css")
    assert unhashed["Cache-Control"] == "public, max-age=60"


def test_uploaded_images_are_served_from_disk_and_nothing_else_runs(proxy, media_root):
    from PIL import Image

    (media_root / "stories").mkdir(exist_ok=True)
    Image.new("RGB", (4, 4), "red").save(media_root / "stories" / "a1b2c3.png")
    (media_root / "stories" / "evil.html").write_text("<script>alert(1)</script>")
    (media_root / "stories" / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )

    status, image, body = fetch(proxy + "/media/stories/a1b2c3.png")
    assert status == 200 and body.startswith(b"\x89PNG")
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image["Content-Security-Policy"]
    assert "Content-Disposition" not in image
    assert "max-age=" in image["Cache-Control"]

    for name in ("evil.html", "evil.svg"):
        status, other, _ = fetch(f"{proxy}/media/stories/{name}")
        assert status == 200
        assert other["Content-Type"] == "application/octet-stream"
        assert other["Content-Disposition"] == "attachment"
        assert other["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in other["Content-Security-Policy"]


# --- Slow clients ------------------------------------------------------------------------------


class Slowloris:
    """`count` connections that send a request one byte at a time, never finishing: its
    headers (`part="headers"`), or the body of a POST whose headers came at once."""

    START = {
        "headers": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        # A well-formed CSRF cookie, so that Django reads the form (the body) before answering.
        "body": b"POST /admin/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nCookie: csrftoken="
        + b"a" * 32
        + b"\r\n\r\nusername=",
    }

    def __init__(self, base, part="headers", count=8, interval=0.5):
        parts = urlsplit(base)
        self.sockets = [
            socket.create_connection((parts.hostname, parts.port)) for _ in range(count)
        ]
        for sock in self.sockets:
            sock.sendall(self.START[part])
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._drip, daemon=True)

    def _drip(self):
        while not self.stop.wait(self.interval):
            for sock in self.sockets:
                with contextlib.suppress(OSError):  # nginx may have hung up on it
                    sock.sendall(b"X")

    def __enter__(self):
        self.thread.start()
        time.sleep(1)  # every connection is open and has been accepted
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def _through_to_gunicorn(base, n, timeout):
    """n requests that the micro-cache does not answer (a cookie): each must reach gunicorn."""
    return [fetch(f"{base}/healthz", {"Cookie": f"n={i}"}, timeout=timeout)[0] for i in range(n)]


@pytest.mark.parametrize("part", ["headers", "body"])
def test_slow_clients_do_not_stall_the_site_through_the_proxy(proxy, part):
    with Slowloris(proxy, part):
        assert _through_to_gunicorn(proxy, 6, timeout=10) == [200] * 6


@pytest.mark.parametrize("part", ["headers", "body"])
def test_without_the_proxy_the_same_slow_clients_stall_gunicorn(web, part):
    """The control for the test above: gunicorn's two sync workers, faced directly with eight
    slow clients, each sit reading one of them and answer nobody else."""
    with Slowloris(web, part), pytest.raises(TimeoutError):
        _through_to_gunicorn(web, 1, timeout=3)
    # Once they hang up, gunicorn answers again (later tests in this module use it).
    assert _through_to_gunicorn(web, 1, timeout=30) == [200]
