"""Where the database lives: DATABASE_URL when set, else an embedded PostgreSQL under var/."""

import json
import os
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url

from .env import env_int

EMBEDDED_DB_NAME = "digest"


def embedded_data_dir(base_dir):
    return Path(os.environ.get("DIGEST_PGDATA", Path(base_dir) / "var" / "pgdata"))


def repair_leftovers(data_dir):
    """Undo what an interrupted start can leave behind, so the next start works by itself.

    pgserver keeps the processes using the cluster in `.handle_pids.json`; a start killed while
    writing it leaves an empty file that fails every later command (JSONDecodeError). An empty
    or garbled `postmaster.pid` makes PostgreSQL refuse to start ("bogus data in lock file").
    A pid file that names a server is left alone: a running server is reused, a stale one
    PostgreSQL clears itself.
    """
    handles = data_dir / ".handle_pids.json"
    if handles.exists():
        try:
            valid = isinstance(json.loads(handles.read_text() or "null"), list)
        except ValueError:
            valid = False
        if not valid:
            handles.write_text("[]")
    pid_file = data_dir / "postmaster.pid"
    if pid_file.exists():
        first = (pid_file.read_text(errors="replace").splitlines() or [""])[0].strip()
        if not first.isdecimal():
            pid_file.unlink()


def start_embedded_postgres(data_dir):
    """Start (or reuse) the pgserver cluster in data_dir and make sure our database exists.

    The server keeps running after this process exits, so the next manage.py command or the
    web server finds it already up. `make db-stop` stops it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    repair_leftovers(data_dir)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(data_dir, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
    return server


def time_limits():
    """libpq options that keep a slow or locked database from holding a worker.

    Every connection gives up connecting after DIGEST_DB_CONNECT_TIMEOUT seconds. Web workers
    (digest_site.wsgi sets the defaults) also cancel a statement after
    DIGEST_DB_STATEMENT_TIMEOUT_MS and a wait for a lock after DIGEST_DB_LOCK_TIMEOUT_MS, well
    below gunicorn's 30 s; the request then gets the 503 page. Management commands (migrate,
    load_demo) have no statement limit unless the variables are set.
    """
    options = {"connect_timeout": env_int("DIGEST_DB_CONNECT_TIMEOUT", 5)}
    settings = []
    statement_ms = env_int("DIGEST_DB_STATEMENT_TIMEOUT_MS", 0)
    lock_ms = env_int("DIGEST_DB_LOCK_TIMEOUT_MS", 0)
    if statement_ms:
        settings.append(f"-c statement_timeout={statement_ms}")
    if lock_ms:
        settings.append(f"-c lock_timeout={lock_ms}")
    if settings:
        options["options"] = " ".join(settings)
    return options


def database_config(base_dir):
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        config["OPTIONS"] = {**config.get("OPTIONS", {}), **time_limits()}
        return config
    data_dir = embedded_data_dir(base_dir)
    server = start_embedded_postgres(data_dir)
    # pgserver picks the socket directory itself (the data directory unless its path is too
    # long for a unix socket), so read it back from the server's URI.
    socket_dir = parse_qs(urlsplit(server.get_uri()).query).get("host", [str(data_dir)])[0]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_DB_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        # pgserver listens on a unix socket inside its data directory.
        "HOST": socket_dir,
        "PORT": "",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": time_limits(),
    }
