"""Uploaded images are served by the app itself where no web server is in front (the embedded
default), with their type, nosniff, a sandboxing policy and a long cache; nothing else under
MEDIA_ROOT is, and nothing outside it."""

import pytest

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # the bytes are served as stored


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "stories").mkdir(parents=True)
    (root / "stories" / "0a1b2c.png").write_bytes(PNG)
    (root / "stories" / "page.html").write_text("<script>alert(1)</script>")
    (tmp_path / "secret.png").write_bytes(PNG)
    settings.MEDIA_ROOT = str(root)
    return root


def test_an_uploaded_image_is_served_with_safe_headers(client, media):
    response = client.get("/media/stories/0a1b2c.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "max-age=31536000" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    ["stories/page.html", "stories/missing.png", "../secret.png", "stories/../../secret.png"],
)
def test_anything_but_a_stored_image_under_media_root_is_404(client, media, path):
    assert client.get(f"/media/{path}").status_code == 404


def test_switched_off_where_a_web_server_serves_media(client, media, settings):
    settings.DIGEST_SERVE_MEDIA = False
    assert client.get("/media/stories/0a1b2c.png").status_code == 404


def test_only_reading_is_allowed(client, media):
    assert client.post("/media/stories/0a1b2c.png").status_code == 405
