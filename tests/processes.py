"""Real processes for tests: gunicorn with production settings on a free loopback port, and
nginx in front of it with the repository's configuration."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
SECRET = "multi-worker-test-secret-k3Jd9Qm2Lx7Vb5Nc8Zr1Tp4Wy6Hs0Gf-aE"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, timeout=60):
    """Wait until `url` answers at all (any HTTP status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up within {timeout}s")


def get(url, timeout=15):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def database_url(db):
    """A DATABASE_URL for Django's settings dict `db` (a unix-socket directory percent-encoded)."""
    return (
        f"postgres://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}@"
        f"{quote(db['HOST'] or 'localhost', safe='')}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def production_env(**extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digest_site.settings.production",
        "SECRET_KEY": SECRET,
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


@contextlib.contextmanager
def gunicorn(env, workers=2, ready_path="/healthz"):
    """gunicorn serving digest_site.wsgi with `env`; yields its base URL."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "digest_site.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + ready_path)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


# --- nginx in front (deploy/nginx/digest.conf.template), used by tests and scripts/bench.py ---

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx" / "digest.conf.template"
_TEMPLATE_NAME = re.compile(r"\$\{(DIGEST_[A-Z_]+)\}")


def render_nginx_template(values):
    """The proxy's configuration with its ${DIGEST_...} names filled in, as the nginx image's
    envsubst does in docker-compose. A name without a value is an error, not an empty string."""

    def value(match):
        if match[1] not in values:
            raise KeyError(f"{NGINX_TEMPLATE.name} needs a value for {match[1]}")
        return str(values[match[1]])

    return _TEMPLATE_NAME.sub(value, NGINX_TEMPLATE.read_text())


def write_nginx_config(directory, *, upstream, port, static_root, media_root, workers=1):
    """A whole nginx configuration under `directory` (pid, logs, temporary files, cache), with
    the repository's server block included as it is in the nginx image. Returns nginx.conf."""
    directory = Path(directory)
    (directory / "digest.conf").write_text(
        render_nginx_template(
            {
                "DIGEST_LISTEN": f"127.0.0.1:{port}",
                "DIGEST_UPSTREAM": upstream,
                "DIGEST_STATIC_ROOT": static_root,
                "DIGEST_MEDIA_ROOT": media_root,
                "DIGEST_CACHE_DIR": directory / "cache",
            }
        )
    )
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root (CI, containers) the workers would switch to `nobody`, who cannot read a private
    # temporary directory; elsewhere nginx runs as whoever starts it and ignores `user`.
    user = "user root;" if os.geteuid() == 0 else ""
    conf = directory / "nginx.conf"
    conf.write_text(
        f"""{user}
worker_processes {workers};
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log off;
{temp}
    include {directory / "digest.conf"};
}}
"""
    )
    return conf


def nginx_test(conf):
    """`nginx -t` on `conf`: (exit status, what it printed)."""
    result = subprocess.run(
        [
            NGINX,
            "-t",
            "-p",
            str(conf.parent),
            "-c",
            str(conf),
            "-e",
            str(conf.parent / "error.log"),
        ],
        capture_output=True,
        text=True,
    )
    return result.returncode, result.stderr


@contextlib.contextmanager
def nginx(directory, *, upstream, static_root, media_root, workers=1):
    """nginx with the repository's configuration in front of `upstream` (host:port); yields
    its base URL. The configuration is checked with `nginx -t` first."""
    port = free_port()
    conf = write_nginx_config(
        directory,
        upstream=upstream,
        port=port,
        static_root=static_root,
        media_root=media_root,
        workers=workers,
    )
    status, output = nginx_test(conf)
    if status != 0:
        raise AssertionError(f"nginx -t refused the configuration:\n{output}")
    server = subprocess.Popen(
        [NGINX, "-p", str(directory), "-c", str(conf), "-e", str(Path(directory) / "error.log"),
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                log = (Path(directory) / "error.log").read_text(errors="replace")
                raise AssertionError(f"nginx did not start:\n{log}")
            time.sleep(0.05)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


# Starts (or repairs and starts) the embedded PostgreSQL in argv[1], proves it answers a query,
# and prints its address last.
_START_POSTGRES = (
    "import sys; from pathlib import Path; "
    "from digest_site.database import start_embedded_postgres; "
    "s = start_embedded_postgres(Path(sys.argv[1])); "
    "print(s.psql('SELECT 40 + 2 AS answer;')); print(s.get_uri())"
)


def start_postgres(data_dir):
    """An embedded PostgreSQL of its own in `data_dir`, started in a child process as `make
    run` would (no DATABASE_URL); the finished process (its stdout ends with the server's URI)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-c", _START_POSTGRES, str(data_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip


def socket_dir(started):
    """The unix-socket directory of a server `start_postgres` started."""
    return parse_qs(urlsplit(started.stdout.strip().splitlines()[-1]).query)["host"][0]


def stop_postgres(data_dir):
    """PostgreSQL's fast shutdown (SIGINT), as `make db-stop`; waits for its pid file to go."""
    pid_file = data_dir / "postmaster.pid"
    pid = int(pid_file.read_text().splitlines()[0])
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 30
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


# --- The task queue's worker (manage.py procrastinate worker), for the newsletter tests -----


def worker_env(db, smtp_port, **extra):
    """Test settings against the test database `db` (Django's settings dict), mail to the SMTP
    server on `smtp_port`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digest_site.settings.test",
        "DATABASE_URL": database_url(db),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "5",
    }
    env.update({name: str(value) for name, value in extra.items()})
    return env


def start_worker(env, log_path=None):
    """A worker process (`manage.py procrastinate worker`); stop it with stop_worker."""
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "manage.py", "procrastinate", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_worker(process, timeout=30):
    """Ask the worker to stop (SIGTERM: it finishes its current job), then wait for it."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
