"""Packaging: what the production image installs, and what `make run` needs."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Tools that belong to development and tests, never to the production image.
NOT_IN_PRODUCTION = {"pytest", "pytest-django", "playwright", "ruff", "pgserver", "aiosmtpd",
                     "time-machine", "import-linter", "pyyaml"}  # fmt: skip


def _pins(lock):
    text = (ROOT / lock).read_text()
    return dict(re.findall(r"^([a-z0-9][a-z0-9_.-]*)==(\S+)", text, re.M))


def _name(requirement):
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")


def test_the_runtime_lock_holds_the_declared_dependencies_and_no_test_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _pins("requirements.lock")
    assert {_name(r) for r in project["dependencies"]} <= set(runtime)
    assert not NOT_IN_PRODUCTION & set(runtime)
    extras = project["optional-dependencies"]
    assert {_name(r) for r in extras["test"] + extras["local"]} <= set(
        _pins("requirements-dev.lock")
    )


def test_development_installs_the_same_versions_the_image_runs():
    dev = _pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in _pins("requirements.lock")} == _pins(
        "requirements.lock"
    )


def test_the_image_installs_the_runtime_lock_only_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.findall(r"-r (\S+)", dockerfile) == ["requirements.lock"]
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")


def _planned(target):
    """The commands `make TARGET` would run on a fresh checkout (-B: as if nothing were built)."""
    result = subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_run_needs_no_node_but_make_test_installs_axe_core():
    assert "npm" not in _planned("run")
    assert "npm ci" in _planned("test")


def test_static_files_collected_by_make_run_serve_production_settings_too(tmp_path):
    """`make run` collects static files with the development settings; gunicorn with the
    production settings then looks every file up in the manifest collectstatic wrote."""
    env = {
        **os.environ,
        "STATIC_ROOT": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "digest_site.settings.dev",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    assert (tmp_path / "staticfiles.json").exists()
    script = "import django; django.setup(); from django.templatetags.static import static; print(static('css/site.css'))"
    production = {
        **env,
        "DJANGO_SETTINGS_MODULE": "digest_site.settings.production",
        "SECRET_KEY": "packaging-test-secret-Xk4r9Vb2Lm7Qw1Zt8Np3Hs6Jd0Fg5Yc",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=production, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-1500:]
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", result.stdout.strip())
