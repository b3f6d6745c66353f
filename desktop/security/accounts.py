"""Local accounts: log-in with lockout, password change, and the admin's account management.

Roles are checked here, in the core, on every call that needs one (`require_role`), so a screen
that forgets to hide a button still cannot do what the role may not. ``actor=None`` means the
operator at the command line (`python main.py accounts ...`), who holds the database credentials
anyway; the UI always passes the logged-in user.
"""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.clock import Clock, utc_now
from desktop.errors import UserFacingError
from desktop.security.audit import AuditLog
from desktop.security.passwords import PasswordHasher, PasswordPolicyError, check_policy
from desktop.storage.db import Database
from desktop.storage.models import User

log = logging.getLogger(__name__)

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)

__all__ = ["AccountDisabled", "AccountLocked", "AccountError", "AccountService", "AuthenticationError",
           "PasswordPolicyError", "PermissionDenied", "Role", "UserInfo", "require_role"]


class Role(str, Enum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label_zh(self) -> str:
        return {"clerk": "窗口人员", "supervisor": "值班长", "admin": "系统管理员"}[self.value]


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: Role
    counter: str


@dataclass(frozen=True)
class UserSummary:
    """What the account list shows (never the hash)."""

    user: UserInfo
    disabled: bool
    locked_until: datetime | None
    failed_attempts: int
    created_at: datetime
    password_changed_at: datetime


class AccountError(UserFacingError):
    pass


class AuthenticationError(AccountError):
    """Wrong user name or password."""


class AccountLocked(AuthenticationError):
    def __init__(self, message: str, message_zh: str, until: datetime) -> None:
        super().__init__(message, message_zh)
        self.until = until


class AccountDisabled(AuthenticationError):
    pass


class PermissionDenied(AccountError):
    pass


def require_role(user: UserInfo | None, *roles: Role) -> UserInfo:
    if user is None or user.role not in roles:
        allowed = "、".join(r.label_zh for r in roles)
        who = user.username if user else "anonymous"
        raise PermissionDenied(f"{who} lacks role {'/'.join(r.value for r in roles)}",
                               f"权限不足：此操作仅限{allowed}")
    return user


def _info(row: User) -> UserInfo:
    return UserInfo(id=row.id, username=row.username, display_name=row.display_name,
                    role=Role(row.role), counter=row.counter)


def _local_time(at: datetime) -> str:
    return at.astimezone().strftime("%H:%M")


class AccountService:
    def __init__(self, db: Database, audit: AuditLog, clock: Clock = utc_now,
                 hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._audit = audit
        self._clock = clock
        self._hasher = hasher or PasswordHasher()

    # --- log-in -------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> UserInfo:
        """The user on success; AuthenticationError (or AccountLocked / AccountDisabled) otherwise."""
        username = username.strip()
        failure: AuthenticationError | None = None
        info: UserInfo | None = None
        with self._db.unit_of_work() as uow:
            row = self._find(uow.session, username, lock=True)
            if row is None:
                self._hasher.burn(password)
                log.info("login refused: unknown user name")
                # The typed name is not recorded: people type passwords into the wrong field.
                self._audit.append("anonymous", "login.unknown_user", session=uow.session)
                failure = AuthenticationError("unknown user", "用户名或密码错误")
            else:
                failure = self._check_password(uow.session, row, password, action="login")
                if failure is None:
                    self._audit.append(row.username, "login", session=uow.session)
                    info = _info(row)
        # Raised after the commit: the failure count and the audit entry must be kept.
        if failure is not None or info is None:
            raise failure or AuthenticationError("login failed", "登录失败")
        log.info("user %s logged in", info.username)
        return info

    def verify_password(self, user: UserInfo, password: str) -> bool:
        """For unlocking an idle-locked screen. False on a wrong password (which counts towards the
        lockout); raises AccountLocked / AccountDisabled when the session must end instead."""
        with self._db.unit_of_work() as uow:
            row = self._get(uow.session, user, lock=True)
            failure = self._check_password(uow.session, row, password, action="unlock")
            if failure is None:
                self._audit.append(row.username, "unlock", session=uow.session)
        if isinstance(failure, (AccountLocked, AccountDisabled)):
            raise failure
        return failure is None

    def _check_password(self, session: Session, row: User, password: str, *,
                        action: str) -> AuthenticationError | None:
        now = self._clock()
        if row.disabled:
            self._audit.append(row.username, f"{action}.disabled", session=session)
            return AccountDisabled(f"account {row.username} is disabled",
                                   "该账号已停用，请联系系统管理员")
        if row.locked_until is not None and now < row.locked_until:
            self._audit.append(row.username, f"{action}.locked", session=session)
            return AccountLocked(f"account {row.username} locked until {row.locked_until.isoformat()}",
                                 f"账号已锁定，请于 {_local_time(row.locked_until)} 后再试，或请管理员重置密码",
                                 row.locked_until)
        if row.locked_until is not None:
            row.locked_until = None
            row.failed_attempts = 0
        if not self._hasher.verify(row.password_hash, password):
            row.failed_attempts += 1
            remaining = MAX_FAILED_ATTEMPTS - row.failed_attempts
            if remaining <= 0:
                row.locked_until = now + LOCKOUT
                row.failed_attempts = 0
                self._audit.append(row.username, "account.locked", detail={"after_failures": MAX_FAILED_ATTEMPTS},
                                   session=session)
                log.warning("account %s locked after %d failed attempts", row.username, MAX_FAILED_ATTEMPTS)
                return AccountLocked(
                    f"account {row.username} locked after {MAX_FAILED_ATTEMPTS} failures",
                    f"密码连续错误 {MAX_FAILED_ATTEMPTS} 次，账号已锁定 {int(LOCKOUT.total_seconds() // 60)} 分钟"
                    f"（至 {_local_time(row.locked_until)}）",
                    row.locked_until)
            self._audit.append(row.username, f"{action}.failed", detail={"remaining": remaining},
                               session=session)
            return AuthenticationError(f"wrong password for {row.username}, {remaining} tries left",
                                       f"密码错误，还可尝试 {remaining} 次")
        row.failed_attempts = 0
        if self._hasher.needs_rehash(row.password_hash):
            row.password_hash = self._hasher.hash(password)
            log.info("password hash of %s upgraded to current parameters", row.username)
        return None

    # --- own password -------------------------------------------------------------------------

    def change_password(self, user: UserInfo, old: str, new: str) -> None:
        check_policy(new, username=user.username)
        if new == old:
            raise PasswordPolicyError("new password equals old", "新密码不能与原密码相同")
        with self._db.unit_of_work() as uow:
            row = self._get(uow.session, user, lock=True)
            failure = self._check_password(uow.session, row, old, action="password_change")
            if failure is None:
                row.password_hash = self._hasher.hash(new)
                row.password_changed_at = self._clock()
                self._audit.append(row.username, "password.changed", subject=row.username,
                                   session=uow.session)
        if failure is not None:
            if type(failure) is AuthenticationError:
                failure.message_zh = "原" + failure.message_zh
            raise failure

    # --- administration -----------------------------------------------------------------------

    def add_user(self, actor: UserInfo | None, username: str, display_name: str, role: Role | str,
                 counter: str, password: str) -> UserInfo:
        self._require_admin(actor)
        username = username.strip()
        role = self._role(role)
        if not username or len(username) > 64 or any(ch.isspace() for ch in username):
            raise AccountError(f"invalid user name {username!r}", "用户名不能为空、不能含空格，且不超过 64 个字符")
        if not display_name.strip():
            raise AccountError("empty display name", "请填写姓名")
        check_policy(password, username=username)
        with self._db.unit_of_work() as uow:
            if self._find(uow.session, username) is not None:
                raise AccountError(f"user {username} exists", f"用户名 {username} 已存在")
            now = self._clock()
            row = User(username=username, display_name=display_name.strip(), role=role.value,
                       counter=counter.strip(), password_hash=self._hasher.hash(password),
                       failed_attempts=0, locked_until=None, disabled=False,
                       password_changed_at=now, created_at=now)
            uow.session.add(row)
            uow.session.flush()
            self._audit.append(self._actor_name(actor), "user.added", subject=username,
                               detail={"role": role.value, "counter": row.counter}, session=uow.session)
            return _info(row)

    def disable_user(self, actor: UserInfo | None, username: str) -> None:
        self._require_admin(actor)
        with self._db.unit_of_work() as uow:
            row = self._existing(uow.session, username)
            if row.role == Role.ADMIN.value and not row.disabled and self._active_admins(uow.session) <= 1:
                raise AccountError("refusing to disable the last active admin",
                                   "不能停用最后一个可用的系统管理员账号")
            row.disabled = True
            self._audit.append(self._actor_name(actor), "user.disabled", subject=row.username,
                               session=uow.session)

    def reset_password(self, actor: UserInfo | None, username: str, new_password: str) -> None:
        """Set a new password and lift a lockout (the user forgot it, or was locked out)."""
        self._require_admin(actor)
        check_policy(new_password, username=username.strip())
        with self._db.unit_of_work() as uow:
            row = self._existing(uow.session, username)
            row.password_hash = self._hasher.hash(new_password)
            row.password_changed_at = self._clock()
            row.failed_attempts = 0
            row.locked_until = None
            self._audit.append(self._actor_name(actor), "password.reset", subject=row.username,
                               session=uow.session)

    def list_users(self, actor: UserInfo | None) -> list[UserSummary]:
        if actor is not None:
            require_role(actor, Role.SUPERVISOR, Role.ADMIN)
        with self._db.unit_of_work(read_only=True) as uow:
            rows = uow.session.scalars(select(User).order_by(User.username))
            return [UserSummary(user=_info(r), disabled=r.disabled, locked_until=r.locked_until,
                                failed_attempts=r.failed_attempts, created_at=r.created_at,
                                password_changed_at=r.password_changed_at) for r in rows]

    def has_users(self) -> bool:
        with self._db.unit_of_work(read_only=True) as uow:
            return uow.session.scalar(select(func.count()).select_from(User)) != 0

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _require_admin(actor: UserInfo | None) -> None:
        if actor is not None:
            require_role(actor, Role.ADMIN)

    @staticmethod
    def _actor_name(actor: UserInfo | None) -> str:
        if actor is not None:
            return actor.username
        try:
            return f"cli:{getpass.getuser()}"
        except (OSError, KeyError):
            return "cli"

    @staticmethod
    def _role(role: Role | str) -> Role:
        try:
            return Role(role)
        except ValueError:
            raise AccountError(f"unknown role {role!r}",
                               "角色只能是 clerk（窗口人员）、supervisor（值班长）或 admin（系统管理员）") from None

    @staticmethod
    def _find(session: Session, username: str, *, lock: bool = False) -> User | None:
        query = select(User).where(User.username == username)
        if lock:
            query = query.with_for_update()
        return session.scalars(query).first()

    def _existing(self, session: Session, username: str) -> User:
        row = self._find(session, username.strip(), lock=True)
        if row is None:
            raise AccountError(f"no user {username}", f"用户 {username} 不存在")
        return row

    def _get(self, session: Session, user: UserInfo, *, lock: bool) -> User:
        query = select(User).where(User.id == user.id)
        if lock:
            query = query.with_for_update()
        row = session.scalars(query).first()
        if row is None:
            raise AuthenticationError(f"user id {user.id} no longer exists", "该账号已不存在，请重新登录")
        return row

    @staticmethod
    def _active_admins(session: Session) -> int:
        return session.scalar(select(func.count()).select_from(User)
                              .where(User.role == Role.ADMIN.value, User.disabled.is_(False))) or 0
