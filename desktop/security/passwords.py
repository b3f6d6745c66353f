"""Password hashing (argon2id: salted, memory-hard) and the password policy.

The cost parameters are a constructor argument so tests can use light ones; production code uses
the defaults, and a hash made with older parameters is upgraded at the next successful login.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from desktop.errors import UserFacingError

log = logging.getLogger(__name__)

MIN_LENGTH = 8


@dataclass(frozen=True)
class HashParams:
    """argon2id cost. Defaults follow RFC 9106's second recommendation (64 MiB, 3 passes)."""

    time_cost: int = 3
    memory_cost_kib: int = 65_536
    parallelism: int = 4


class PasswordPolicyError(UserFacingError, ValueError):
    pass


class PasswordHasher:
    def __init__(self, params: HashParams | None = None) -> None:
        self.params = params or HashParams()
        self._argon = argon2.PasswordHasher(
            time_cost=self.params.time_cost,
            memory_cost=self.params.memory_cost_kib,
            parallelism=self.params.parallelism,
            type=argon2.Type.ID,
        )
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._argon.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon.verify(password_hash, password)
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError):
            # A damaged stored hash must never let anyone in; it is worth a log line.
            log.error("stored password hash is unreadable; refusing the password")
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._argon.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def burn(self, password: str) -> None:
        """Spend the time of one verification, so an unknown user name answers as slowly as a known one."""
        self.verify(self._dummy_hash(), password)

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._argon.hash("not-a-real-password-0")
        return self._dummy


def check_policy(password: str, *, username: str = "") -> None:
    """The minimum policy: at least 8 characters, letters and digits, not the user name."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"password shorter than {MIN_LENGTH}",
                                  f"密码至少需要 {MIN_LENGTH} 位")
    if not any(ch.isascii() and ch.isalpha() for ch in password) or not any(ch.isdigit() for ch in password):
        raise PasswordPolicyError("password needs letters and digits", "密码必须同时包含字母和数字")
    if password.strip() != password:
        raise PasswordPolicyError("password starts or ends with whitespace", "密码首尾不能是空格")
    if username and username.lower() in password.lower():
        raise PasswordPolicyError("password contains the user name", "密码不能包含用户名")
