"""The foundation commands as an administrator runs them: main.main() in-process (the real parser,
settings, logging and database), plus one run of `python main.py` as a separate process."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import main
from desktop.demo import demo_settings, load_demo_citizens, seed_demo
from desktop.identity import is_valid_id_number
from desktop.security.redact import IdNumberMaskFilter
from desktop.settings import Settings, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "Window2024"


@pytest.fixture
def run(db_url, tmp_path, capsys, monkeypatch):
    """Run `main.py --db <test db> ARGS...`; returns (exit code, stdout, stderr)."""

    def invoke(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main.main(["--db", db_url, "--data-dir", str(tmp_path / "data"), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_accounts_add_list_disable_reset(run):
    assert run("accounts", "add", "admin01", "--name", "王管理", "--role", "admin",
               "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    code, out, _ = run("accounts", "add", "clerk01", "--name", "李柜员", "--role", "clerk",
                       "--counter", "3号窗口", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0 and "已新增账号 clerk01" in out
    assert run("accounts", "disable", "clerk01")[0] == 0
    code, out, _ = run("accounts", "list")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "已停用" in lines["clerk01"] and "正常" in lines["admin01"] and "3号窗口" in lines["clerk01"]
    assert run("accounts", "reset", "admin01", "--password-stdin", stdin="Reset2025x\n")[0] == 0


def test_account_mistakes_get_one_message_and_a_failing_exit(run):
    code, out, err = run("accounts", "add", "clerk01", "--name", "李", "--role", "clerk",
                         "--password-stdin", stdin="short\n")
    assert code == 1 and err.strip() == "密码至少需要 8 位" and out == ""
    code, _, err = run("accounts", "disable", "ghost")
    assert code == 1 and err.strip() == "用户 ghost 不存在"
    # No terminal and no --password-stdin: refused before anything is written.
    code, _, err = run("accounts", "add", "clerk01", "--name", "李", "--role", "clerk")
    assert code == 1 and "--password-stdin" in err
    code, out, _ = run("accounts", "list")
    assert "还没有任何账号" in out


def test_unknown_arguments_exit_2_with_one_message(run):
    for args in (["--bogus"], ["accounts", "frobnicate"], ["accounts", "add", "x", "--role", "king",
                                                           "--name", "n"], ["db"]):
        code, out, err = run(*args)
        assert code == 2, args
        assert err.count("命令行参数有误") == 1 and "Traceback" not in err


def test_audit_verify_names_the_tampered_entry(run, db_url):
    for n in range(3):
        run("accounts", "add", f"clerk0{n}", "--name", "某", "--role", "clerk", "--password-stdin",
            stdin=PASSWORD + "\n")
    code, out, _ = run("audit", "verify")
    assert code == 0 and "审计日志完整：共 3 条" in out
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET subject = 'clerk09' WHERE seq = 2"))
    engine.dispose()
    code, out, _ = run("audit", "verify")
    assert code == 1
    assert "第 2 条记录" in out and "被修改" in out


def test_db_current_and_upgrade(run):
    code, out, _ = run("db", "current")
    assert code == 0 and "（空数据库）" in out and "需要升级" in out
    code, out, _ = run("db", "upgrade")
    assert code == 0 and "升级到" in out
    code, out, _ = run("db", "current")
    assert "已是最新" in out


def test_newer_schema_stops_every_command_and_changes_nothing(run, db_url):
    assert run("db", "upgrade")[0] == 0
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999_future'"))
    code, out, err = run("accounts", "list")
    assert code == 1 and "比本程序新" in err and out == ""
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0999_future"
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0
    engine.dispose()


def test_corrupt_database_file_gives_one_message(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "onewindow.db").write_bytes(b"\x00garbage" * 512)
    assert main.main(["--data-dir", str(data), "accounts", "list"]) == 1
    err = capsys.readouterr().err
    assert "已损坏" in err and "Traceback" not in err


def test_demo_mode_prints_working_passwords(capsys, tmp_path):
    assert main.main(["--demo", "--data-dir", str(tmp_path / "data"), "accounts", "list"]) == 0
    captured = capsys.readouterr()
    assert "演示账号" in captured.err
    for name in ("clerk01", "super01", "admin01"):
        assert name in captured.out
    assert not list((tmp_path / "data").glob("*.db"))  # the demo never touches the real database


def test_seeded_demo_accounts_log_in(tmp_path, fast_hasher, clock):
    from desktop.bootstrap import build_app

    app = build_app(demo_settings(Settings(data_dir=tmp_path), tmp_path / "demo"), clock=clock,
                    password_hasher=fast_hasher)
    try:
        passwords = seed_demo(app)
        clerk = app.accounts.authenticate("clerk01", passwords["clerk01"])
        assert clerk.counter == "3号窗口" and clerk.role.value == "clerk"
        assert app.accounts.authenticate("super01", passwords["super01"]).role.value == "supervisor"
        assert app.accounts.authenticate("admin01", passwords["admin01"]).role.value == "admin"
    finally:
        app.close()


def test_seed_demo_refuses_a_real_database(app):
    from desktop.demo import NotADemoDatabase

    with pytest.raises(NotADemoDatabase):
        seed_demo(app)


def test_demo_citizens_are_synthetic_and_valid():
    citizens = load_demo_citizens()
    assert len(citizens) >= 3
    assert len({c["key"] for c in citizens}) == len(citizens)
    assert all(is_valid_id_number(c["id_number"]) for c in citizens)


def test_settings_file_is_read_and_unknown_keys_reported(tmp_path):
    file = tmp_path / "settings.toml"
    file.write_text('counter = "5号窗口"\nidle_lock_minutes = 3\ncolour = "blue"\n'
                    '[adapters.social_security]\nendpoint = "http://127.0.0.1:9000"\n', encoding="utf-8")
    settings = load_settings(file, {"reader": "demo", "db_url": None})
    assert settings.counter == "5号窗口" and settings.idle_lock_minutes == 3 and settings.reader == "demo"
    assert settings.adapters == {"social_security": {"endpoint": "http://127.0.0.1:9000"}}
    assert any("colour" in p for p in settings.problems)


def test_default_settings_come_from_the_user_dirs(temp_home):
    settings = load_settings()
    assert settings.source is None and settings.db_url is None
    assert str(settings.data_dir).startswith(str(temp_home))


@pytest.mark.parametrize("content, fragment", [
    ('[adapters.medical_insurance]\npassword = "x"\n', "密码类"),
    ('db_url = "postgresql+psycopg://u:pw@h/db"\n', "pgpass"),
    ('idle_lock_minutes = "ten"\n', "idle_lock_minutes"),
    ('counter = "3号\n', "格式错误"),
])
def test_bad_settings_file_is_one_clear_message(tmp_path, capsys, content, fragment):
    file = tmp_path / "settings.toml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(file)
    assert fragment in err.value.message_zh
    assert main.main(["--config", str(file), "db", "current"]) == 2
    assert fragment in capsys.readouterr().err


def test_log_lines_never_carry_a_full_id_number():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(IdNumberMaskFilter())
    logger = logging.getLogger("test.masking")
    logger.addHandler(handler)
    try:
        logger.warning("lookup for %s failed", "330106196603151316")
        try:
            raise ValueError("bad card 33010219710608242X")
        except ValueError:
            logger.exception("reader error")
    finally:
        logger.removeHandler(handler)
    text_out = stream.getvalue()
    assert "330106196603151316" not in text_out and "33010219710608242X" not in text_out
    assert "330106********1316" in text_out and "330102********242X" in text_out


def test_main_py_runs_as_a_script():
    result = subprocess.run([sys.executable, str(REPO / "main.py"), "--no-such-option"],
                            capture_output=True, text=True, timeout=60, cwd=REPO)
    assert result.returncode == 2
    assert "命令行参数有误" in result.stderr and "--no-such-option" in result.stderr
