"""Where uploads go and how large they may be come from the environment, under the production
settings as gunicorn loads them, and a bad value stops the start with a message."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "q7Lw-2nX9vB4mZr8TfK1pYc6HdJ3sGa5UeN0oWiQ_xRtVbMy-e4Zk"  # 52 varied characters
PRINT_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); print(json.dumps(["
    "str(settings.MEDIA_ROOT), settings.MEDIA_URL, settings.DIGEST_UPLOAD_MAX_BYTES, "
    "settings.DIGEST_UPLOAD_MAX_PIXELS, settings.FILE_UPLOAD_HANDLERS[0]]))"
)


def production_settings(**env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIA_", "DIGEST_"))}
    environ.update(
        DJANGO_SETTINGS_MODULE="digest_site.settings.production", SECRET_KEY=GOOD_SECRET, **env
    )
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_reads_media_and_upload_limits_from_the_environment(tmp_path):
    result = production_settings(
        MEDIA_ROOT=str(tmp_path / "uploads"),
        MEDIA_URL="/files/",
        DIGEST_UPLOAD_MAX_BYTES="5000000",
        DIGEST_UPLOAD_MAX_PIXELS="20000000",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        str(tmp_path / "uploads"),
        "/files/",
        5_000_000,
        20_000_000,
        "editorial.images.UploadSizeLimitHandler",
    ]


def test_production_defaults_keep_uploads_under_var_media():
    result = production_settings()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[:4] == [
        str(ROOT / "var" / "media"),
        "/media/",
        10 * 1024 * 1024,
        40_000_000,
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MEDIA_ROOT", "var/media"),
        ("MEDIA_URL", "https://cdn.example.com/media/"),
        ("MEDIA_URL", "/media"),
        ("DIGEST_UPLOAD_MAX_BYTES", "10MB"),
    ],
)
def test_a_bad_media_setting_stops_the_start_with_its_name(name, value):
    result = production_settings(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr
