#!/usr/bin/env python
"""`make bench-newsletter` (and the end of `make bench`): newsletter sending throughput.

An issue goes to N confirmed subscribers through real workers (`manage.py procrastinate
worker`, production settings) and a real SMTP server on the loopback (aiosmtpd, in this
process, counting what it receives). Each run times from the start of the send (deliveries
created) to the last delivery marked sent, and reads each worker's peak resident memory
(VmHWM): the same peak for 1,000 and 10,000 subscribers shows that subscribers are streamed,
never loaded whole.

Runs: 1,000 subscribers with one worker, 10,000 with one worker, 10,000 with two. Database:
BENCH_NEWSLETTER_DATABASE_URL, else `digest_bench_newsletter` on the server of DATABASE_URL
(or the embedded PostgreSQL), created and migrated when missing. Results also go to
var/bench/newsletter.json. Options: --subscribers N (the large runs; default 10000),
--workers 1,2.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import _admin_connect, _server_url, _with_db  # noqa: E402

from tests.smtp import smtp_sink  # noqa: E402

OUT = ROOT / "var" / "bench"
SECRET = "bench-only-secret-4f9Kq2Zx7Lm3Vb8Nw1Rt6Yp0Hs5Gd2Jc9Ae4Uo"


def _env(db_url, **extra):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "digest_site.settings.production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": db_url,
        "SECURE_SSL_REDIRECT": "false",
        "DIGEST_STAFF_2FA": "off",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("REDIS_URL", None)
    env.update({name: str(value) for name, value in extra.items()})
    return env


def prepare(db_url):
    """Create and migrate the database when needed; one published issue (the demo's)."""
    name = db_url.rsplit("/", 1)[-1].split("?")[0]
    with _admin_connect(db_url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = _env(db_url)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "load_demo", "--force"], cwd=ROOT, env=env, check=True, capture_output=True
    )


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run(db_url, subscribers, workers):
    import django
    from django.db import connection

    django.setup()
    from issues.models import Issue
    from newsletter import sending
    from newsletter.models import Delivery

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE newsletter_delivery, newsletter_subscriber, procrastinate_events,"
            " procrastinate_periodic_defers, procrastinate_jobs, procrastinate_workers CASCADE"
        )
        # Confirmed subscribers, inserted by PostgreSQL itself.
        cursor.execute(
            "INSERT INTO newsletter_subscriber (email, status, requested_at, confirmed_at,"
            " confirmation_count, link_version)"
            " SELECT 'reader' || n || '@example.com', 'confirmed', now(), now(), 1, 1"
            " FROM generate_series(1, %s) AS n",
            [subscribers],
        )
    issue = Issue.objects.published().order_by("-published_at").first()
    with smtp_sink(keep=False) as (sink, port):
        env = _env(
            db_url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            DIGEST_NEWSLETTER_SEND_JOBS=max(4, 2 * workers),
        )
        processes = [
            subprocess.Popen(
                [sys.executable, "manage.py", "procrastinate", "worker"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        try:
            deadline = time.monotonic() + 60
            while True:  # every worker registered and waiting
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM procrastinate_workers")
                    if cursor.fetchone()[0] >= workers:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit("The workers did not start.")
                time.sleep(0.2)
            started = time.monotonic()
            sending.start(issue)
            while Delivery.objects.filter(state__in=["pending", "sending"]).exists():
                time.sleep(0.1)
            elapsed = time.monotonic() - started
            sent = Delivery.objects.filter(state="sent").count()
            peaks = [peak_rss_mb(process.pid) for process in processes]
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
        received = sink.count
    rate = sent / elapsed
    return {
        "subscribers": subscribers,
        "workers": workers,
        "sent": sent,
        "received": received,
        "seconds": round(elapsed, 2),
        "messages_per_second": round(rate, 1),
        "per_worker": round(rate / workers, 1),
        "peak_rss_mb": [round(peak, 1) for peak in peaks],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_NEWSLETTER_DATABASE_URL") or _with_db(
        _server_url(), "digest_bench_newsletter"
    )
    prepare(db_url)
    os.environ.update(_env(db_url))
    runs = [(1_000, 1)] + [(args.subscribers, int(n)) for n in args.workers.split(",")]
    results = []
    print("Newsletter sending: workers send an issue to a local SMTP server (aiosmtpd)")
    print(
        f"{'subscribers':>11} {'workers':>7} {'seconds':>8} {'msg/s':>7} {'per worker':>10}  peak RSS per worker"
    )
    for subscribers, workers in runs:
        result = one_run(db_url, subscribers, workers)
        results.append(result)
        print(
            f"{subscribers:>11,} {workers:>7} {result['seconds']:>8} "
            f"{result['messages_per_second']:>7} {result['per_worker']:>10}  "
            + ", ".join(f"{peak} MB" for peak in result["peak_rss_mb"])
        )
        if result["sent"] != subscribers or result["received"] != subscribers:
            raise SystemExit(f"Sent {result['sent']}, received {result['received']}: not all.")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "newsletter.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
