"""Workstation settings: one TOML file in the user config dir, overridden by command-line options.

Example (``~/.config/onewindow/settings.toml`` on Linux)::

    db_url = "postgresql+psycopg://onewindow@db.hall.local:5432/onewindow"   # no password here
    counter = "3号窗口"
    hall_name = "西湖区政务服务中心"
    hall_code = "330106"
    idle_lock_minutes = 10
    reader = "sam:/dev/ttyUSB0"

    [adapters.social_security]
    endpoint = "https://si.example.gov.cn/api"
    timeout_s = 10

Settings never hold secrets: department passwords live in the OS keyring, and a database password
belongs in ~/.pgpass (libpq reads it). Unknown keys are reported, not fatal, so an older workstation
can read a newer file.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from desktop.errors import UserFacingError
from desktop.security.secrets import find_secret_keys
from desktop.toml_file import TomlFileError, read_toml

log = logging.getLogger(__name__)

APP_NAME = "onewindow"
SETTINGS_FILENAME = "settings.toml"
MAX_IDLE_LOCK_MINUTES = 480


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / SETTINGS_FILENAME


def default_data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME)


class SettingsError(UserFacingError, ValueError):
    pass


@dataclass
class Settings:
    db_url: str | None = None
    data_dir: Path = field(default_factory=default_data_dir)
    idle_lock_minutes: int = 10
    counter: str = ""
    hall_name: str = ""
    #: the hall's 6-digit region code, the middle of every case number (YC330106-20261124-0007)
    hall_code: str = ""
    reader: str = ""
    adapters: dict[str, dict[str, Any]] = field(default_factory=dict)
    demo: bool = False
    #: send submitted branches from this workstation while a clerk is logged in; a hall that runs
    #: `main.py dispatch` on a server may turn it off (both can run: the outbox shares the work safely)
    workstation_dispatcher: bool = True
    #: the file these came from (None: defaults only)
    source: Path | None = None
    #: things worth telling the administrator that did not stop the start (unknown keys...)
    problems: list[str] = field(default_factory=list)


_KEYS = {f.name for f in fields(Settings)} - {"source", "problems"}


def load_settings(path: Path | str | None = None, overrides: Mapping[str, Any] | None = None) -> Settings:
    """Read `path` (default: the user config file, which may be absent) and apply `overrides`
    (command-line options; None values are ignored)."""
    explicit = path is not None
    file = Path(path).expanduser() if path is not None else default_config_path()
    raw: dict[str, Any] = {}
    source: Path | None = None
    if file.exists() or explicit:
        try:
            raw = read_toml(file)
        except TomlFileError as exc:
            raise SettingsError(str(exc), f"设置文件无法读取：{exc.message_zh}") from None
        source = file
    settings = Settings(source=source)
    settings = _apply(settings, raw, where=str(file))
    if overrides:
        settings = _apply(settings, {k: v for k, v in overrides.items() if v is not None},
                          where="command line")
    for problem in settings.problems:
        log.warning("settings: %s", problem)
    return settings


def _apply(settings: Settings, values: Mapping[str, Any], *, where: str) -> Settings:
    changes: dict[str, Any] = {}
    problems = list(settings.problems)
    for key, value in values.items():
        if key not in _KEYS:
            problems.append(f"unknown setting {key!r} in {where} (ignored)")
            continue
        changes[key] = _validate(key, value, where)
    return replace(settings, problems=problems, **changes)


def _validate(key: str, value: Any, where: str) -> Any:
    def bad(expected: str, expected_zh: str) -> SettingsError:
        return SettingsError(f"setting {key!r} in {where} must be {expected}, got {value!r}",
                             f"设置项 {key} 应为{expected_zh}（{where}）")

    if key == "db_url":
        if not isinstance(value, str) or not value:
            raise bad("a database URL", "数据库地址")
        try:
            url = make_url(value)
        except ArgumentError:
            raise bad("a database URL", "数据库地址，例如 postgresql+psycopg://用户@主机:5432/库名") from None
        if url.password and where != "command line":
            raise SettingsError(f"setting db_url in {where} contains a password",
                                "设置文件中的数据库地址不能包含密码；请使用 ~/.pgpass 保存数据库密码")
        return value
    if key == "data_dir":
        if not isinstance(value, (str, Path)) or not str(value):
            raise bad("a directory path", "目录路径")
        return Path(value).expanduser()
    if key == "idle_lock_minutes":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_IDLE_LOCK_MINUTES:
            raise bad(f"an integer 1..{MAX_IDLE_LOCK_MINUTES}", f" 1 到 {MAX_IDLE_LOCK_MINUTES} 之间的整数（分钟）")
        return value
    if key == "hall_code":
        if not isinstance(value, str) or not (len(value) == 6 and value.isascii() and value.isdigit()):
            raise bad("6 digits (the hall's region code)", " 6 位数字的大厅区划代码，例如 330106")
        return value
    if key in ("demo", "workstation_dispatcher"):
        if not isinstance(value, bool):
            raise bad("true or false", " true 或 false")
        return value
    if key == "adapters":
        if not isinstance(value, Mapping) or not all(isinstance(v, Mapping) for v in value.values()):
            raise bad("a table of tables [adapters.<id>]", "[adapters.接口编号] 形式的表")
        secret = find_secret_keys(value)
        if secret:
            raise SettingsError(f"secret-looking keys in {where}: {', '.join(secret)}",
                                f"设置中不能包含密码类信息（{', '.join(secret)}）；部门账号密码请保存在系统密钥环中")
        return {str(k): dict(v) for k, v in value.items()}
    if not isinstance(value, str):
        raise bad("text", "文本")
    return value
