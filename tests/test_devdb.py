"""The embedded PostgreSQL helper used when DATABASE_URL is unset."""

import pytest

from portal import devdb


def test_data_dir_defaults_inside_the_project(monkeypatch):
    monkeypatch.delenv("EMBEDDED_PG_DIR", raising=False)
    assert devdb.data_dir() == devdb.PROJECT_DIR / "var" / "pgdata"


def test_data_dir_can_be_moved(monkeypatch, tmp_path):
    monkeypatch.setenv("EMBEDDED_PG_DIR", str(tmp_path / "pg"))
    assert devdb.data_dir() == tmp_path / "pg"


def test_no_server_is_reported_as_not_running(tmp_path):
    assert devdb._running_uri(tmp_path, "bianmin") is None


def test_a_server_that_cannot_start_gives_a_clear_error(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("EMBEDDED_PG_DIR", str(blocker / "pgdata"))
    with pytest.raises(devdb.EmbeddedDatabaseError, match="Could not start the embedded PostgreSQL"):
        devdb.start()


def test_cli_status_and_usage(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("EMBEDDED_PG_DIR", str(tmp_path / "pg"))
    assert devdb.main(["devdb", "status"]) == 0
    assert "not running" in capsys.readouterr().out
    assert devdb.main(["devdb", "bogus"]) == 2
