"""`python main.py dispatch --once` as an IT administrator runs it on a hall's server: the department
accounts come from the adapter settings in the database and the secrets from the keyring."""

from __future__ import annotations

import pytest

from _dispatch_helpers import Departments, assert_each_delivered_once, branches, configured_backlog, state_counts
from main import main


def test_one_round_sends_the_due_branches_and_says_how_many(db, db_url, tmp_path, capsys) -> None:
    with Departments(["social_security", "employment"]) as departments:
        configured_backlog(db, departments, tmp_path, cases=3)
        code = main(["--db", db_url, "--data-dir", str(tmp_path / "data"), "dispatch", "--once", "--name", "hall-1"],
                    prog="main.py")
        assert code == 0
        assert "本轮发送 6 个分支" in capsys.readouterr().out
        assert state_counts(db) == {"received": 6}
        assert_each_delivered_once(db, departments)


def test_a_missing_keyring_secret_sends_nothing_and_says_why(db, db_url, tmp_path, memory_keyring) -> None:
    with Departments(["social_security"]) as departments:
        configured_backlog(db, departments, tmp_path, cases=1)
        memory_keyring.store.clear()  # this server's keyring holds no department password
        assert main(["--db", db_url, "--data-dir", str(tmp_path / "data"), "dispatch", "--once"],
                    prog="main.py") == 0
        assert departments.submits["social_security"] == 0
        [row] = branches(db)
        assert row.state == "attention" and "密码" in row.last_error


@pytest.mark.parametrize("bad", [["--workers", "0"], ["--lease", "-1"]])
def test_nonsense_options_are_refused_in_chinese(bad, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--data-dir", str(tmp_path), "dispatch", *bad], prog="main.py")
    assert exit_.value.code == 2
    assert "命令行参数有误" in capsys.readouterr().err
