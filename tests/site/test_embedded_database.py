"""The embedded PostgreSQL (no DATABASE_URL) starts again by itself after an interrupted start
left its pid and handle files empty, as a killed `make run` can."""

from tests.processes import start_postgres, stop_postgres


def test_an_interrupted_start_is_repaired_by_the_next_one(tmp_path):
    data_dir = tmp_path / "pgdata"
    first = start_postgres(data_dir)
    assert "42" in first.stdout, first.stderr[-2000:]
    stop_postgres(data_dir)
    # What a start killed half-way leaves behind.
    (data_dir / ".handle_pids.json").write_text("")
    (data_dir / "postmaster.pid").write_text("")
    try:
        again = start_postgres(data_dir)
        assert "42" in again.stdout, again.stderr[-2000:]
    finally:
        if (data_dir / "postmaster.pid").exists():
            stop_postgres(data_dir)
