"""Project-wide promises: migrations, settings, deployment checks, docker-compose, roles."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from digest_site.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "q7Lw-2nX9vB4mZr8TfK1pYc6HdJ3sGa5UeN0oWiQ_xRtVbMy-e4Zk"  # 52 varied characters


@pytest.mark.django_db
def test_there_are_no_pending_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_only_reviewers_hold_the_publish_permissions():
    editors = Group.objects.get(name="Editors")
    reviewers = Group.objects.get(name="Reviewers")
    editor_perms = set(editors.permissions.values_list("codename", flat=True))
    reviewer_perms = set(reviewers.permissions.values_list("codename", flat=True))
    assert {"publish_story", "publish_issue"} <= reviewer_perms
    assert not {"publish_story", "publish_issue"} & editor_perms
    assert {"add_story", "change_story", "add_issue", "change_issue"} <= editor_perms


def _clean_environ():
    # The browser tests allow sync ORM calls under Playwright's event loop for the whole
    # session; a real deployment never sets that, and `check` reports it as an error.
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args, **env):
    full_env = {**_clean_environ(), **env}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    full_env["DJANGO_SETTINGS_MODULE"] = env.get(
        "DJANGO_SETTINGS_MODULE", "digest_site.settings.production"
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=GOOD_SECRET)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", [None, "short", "dev-" + "k" * 60])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    env = {} if secret is None else {"SECRET_KEY": secret}
    full = {k: v for k, v in _clean_environ().items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**full, **env, "DJANGO_SETTINGS_MODULE": "digest_site.settings.production"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_env_helpers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("DIGEST_TEST_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DIGEST_TEST_BOOL"):
        env_bool("DIGEST_TEST_BOOL", False)
    monkeypatch.setenv("DIGEST_TEST_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="DIGEST_TEST_INT"):
        env_int("DIGEST_TEST_INT", 1)
    monkeypatch.delenv("DIGEST_TEST_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="DIGEST_TEST_MISSING"):
        env_str("DIGEST_TEST_MISSING")


def test_env_helpers_read_good_values(monkeypatch):
    monkeypatch.setenv("DIGEST_TEST_BOOL", "Yes")
    monkeypatch.setenv("DIGEST_TEST_INT", "42")
    monkeypatch.setenv("DIGEST_TEST_LIST", "a.example, b.example,")
    assert env_bool("DIGEST_TEST_BOOL", False) is True
    assert env_int("DIGEST_TEST_INT", 1) == 42
    assert env_list("DIGEST_TEST_LIST", []) == ["a.example", "b.example"]


def test_docker_compose_runs_postgres_and_gunicorn_after_a_healthy_db():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "web", "worker", "proxy"}
    db, web = services["db"], services["web"]
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert "migrate" in web["command"] and "gunicorn" in web["command"]
    assert web["environment"]["DJANGO_SETTINGS_MODULE"] == "digest_site.settings.production"
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")
    assert (ROOT / "Dockerfile").exists()


def test_docker_compose_runs_a_queue_worker_from_the_app_image_with_the_same_mail_settings():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    web, worker = services["web"], services["worker"]
    assert worker["build"]["target"] == "app"
    assert worker["command"] == "python manage.py procrastinate worker"
    assert "ports" not in worker
    # Started after web, which migrates the queue's tables.
    assert worker["depends_on"]["web"]["condition"] == "service_healthy"
    for name in ("DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "SITE_URL", "EMAIL_HOST"):
        assert worker["environment"][name] == web["environment"][name], name
    for name in ("EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS"):
        assert name in worker["environment"], name


def test_docker_compose_publishes_only_nginx_in_front_of_gunicorn():
    """The proxy (tests/site/test_front_proxy.py runs its configuration) is the one way in."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    web, proxy = services["web"], services["proxy"]
    assert "ports" not in web
    assert proxy["ports"] == ["8000:80"]
    assert proxy["build"]["target"] == "proxy" and web["build"]["target"] == "app"
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "healthz" in " ".join(web["healthcheck"]["test"])
    # Uploads written by gunicorn are served by nginx from the same volume.
    assert "media:/app/var/media" in web["volumes"]
    assert "media:/srv/digest/media:ro" in proxy["volumes"]
    # gunicorn and Django both believe the proxy's X-Forwarded-*; throttling counts one hop.
    assert "--forwarded-allow-ips" in web["command"]
    assert web["environment"]["DIGEST_TRUSTED_PROXIES"].endswith("1}")
    # The nginx image's envsubst fills in every name the template uses, and nothing else
    # written like an environment variable appears in it (nginx's own variables are lowercase).
    template = (ROOT / "deploy" / "nginx" / "digest.conf.template").read_text()
    names = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)\}", template))
    assert names == set(proxy["environment"])
    assert not re.findall(r"\$[A-Z]", template)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM nginx:" in dockerfile and "AS proxy" in dockerfile
    assert "COPY --from=app /app/var/staticfiles " + proxy["environment"]["DIGEST_STATIC_ROOT"] in (
        dockerfile
    )
    assert "/etc/nginx/templates/" in dockerfile


def test_no_sqlite_anywhere():
    offenders = [
        str(path)
        for folder in ("digest_site", "stories", "issues", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if "backends." + "sqlite" in path.read_text()
    ]
    assert offenders == []
