"""The embedded PostgreSQL (no DATABASE_URL) starts again by itself after an interrupted start
left its pid and handle files empty, as a killed `make run` can."""

import os
import signal
import subprocess
import sys
import time

from tests.processes import ROOT

START = (
    "from pathlib import Path; from digest_site.database import start_embedded_postgres; "
    "import sys; s = start_embedded_postgres(Path(sys.argv[1])); "
    "print(s.psql('SELECT 40 + 2 AS answer;'))"
)


def _start(data_dir):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-c", START, str(data_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def _stop(data_dir):
    pid_file = data_dir / "postmaster.pid"
    pid = int(pid_file.read_text().splitlines()[0])
    os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown, as `make db-stop`
    deadline = time.monotonic() + 30
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_an_interrupted_start_is_repaired_by_the_next_one(tmp_path):
    data_dir = tmp_path / "pgdata"
    first = _start(data_dir)
    assert "42" in first.stdout, first.stderr[-2000:]
    _stop(data_dir)
    # What a start killed half-way leaves behind.
    (data_dir / ".handle_pids.json").write_text("")
    (data_dir / "postmaster.pid").write_text("")
    try:
        again = _start(data_dir)
        assert "42" in again.stdout, again.stderr[-2000:]
    finally:
        if (data_dir / "postmaster.pid").exists():
            _stop(data_dir)
