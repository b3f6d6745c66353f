"""Department account secrets live only in the OS keyring. Without a usable keyring the
workstation refuses to store them; there is no plaintext fallback, ever."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail

from desktop.errors import UserFacingError

log = logging.getLogger(__name__)

_SECRET_WORDS = frozenset({"password", "passwd", "passphrase", "pwd", "pass", "secret", "token",
                           "apikey", "credential", "credentials", "privatekey"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def looks_secret(key: str) -> bool:
    """True for names like password, client_secret, accessToken, api-key, private_key."""
    words = [w for w in _SEPARATORS.split(_CAMEL.sub("_", key).lower()) if w]
    joined_pairs = {a + b for a, b in zip(words, words[1:])}
    return bool(_SECRET_WORDS.intersection(words) or _SECRET_WORDS.intersection(joined_pairs))


class NoKeyringError(UserFacingError, RuntimeError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "未找到系统密钥环，无法安全保存部门账号密码。"
                                  "请安装并解锁系统密钥环（如 GNOME Keyring / KWallet / Windows 凭据管理器）后重试")


class SecretInConfigError(UserFacingError, ValueError):
    """Configuration or settings that would put a secret in plain text."""

    def __init__(self, keys: list[str]) -> None:
        super().__init__(f"secret-looking keys not allowed in configuration: {', '.join(keys)}",
                         f"配置中不能包含密码类信息（{', '.join(keys)}）；部门账号密码请通过系统密钥环保存")
        self.keys = keys


def find_secret_keys(config: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of keys (at any depth) whose name looks like a secret."""
    found: list[str] = []
    for key, value in config.items():
        path = f"{prefix}{key}"
        if looks_secret(str(key)):
            found.append(path)
        if isinstance(value, Mapping):
            found.extend(find_secret_keys(value, prefix=f"{path}."))
    return found


def reject_secret_keys(config: Mapping[str, Any]) -> None:
    keys = find_secret_keys(config)
    if keys:
        raise SecretInConfigError(keys)


class SecretStore:
    """Secrets keyed by adapter and account: keyring service "<prefix>/<adapter_id>"."""

    def __init__(self, service_prefix: str = "onewindow") -> None:
        self.service_prefix = service_prefix

    def get(self, adapter_id: str, account: str) -> str | None:
        backend = self._backend()
        try:
            return backend.get_password(self._service(adapter_id), account)
        except keyring.errors.KeyringError as exc:
            raise NoKeyringError(f"keyring read failed for {adapter_id}: {type(exc).__name__}") from None

    def set(self, adapter_id: str, account: str, secret: str) -> None:
        backend = self._backend()
        try:
            backend.set_password(self._service(adapter_id), account, secret)
        except keyring.errors.KeyringError as exc:
            raise NoKeyringError(f"keyring write failed for {adapter_id}: {type(exc).__name__}") from None
        log.info("secret stored in keyring for adapter %s account %s", adapter_id, account)

    def delete(self, adapter_id: str, account: str) -> bool:
        """Remove the secret; False when there was none."""
        backend = self._backend()
        try:
            backend.delete_password(self._service(adapter_id), account)
        except keyring.errors.PasswordDeleteError:
            return False
        except keyring.errors.KeyringError as exc:
            raise NoKeyringError(f"keyring delete failed for {adapter_id}: {type(exc).__name__}") from None
        log.info("secret removed from keyring for adapter %s account %s", adapter_id, account)
        return True

    def available(self) -> bool:
        try:
            self._backend()
        except NoKeyringError:
            return False
        return True

    def _service(self, adapter_id: str) -> str:
        return f"{self.service_prefix}/{adapter_id}"

    @staticmethod
    def _backend() -> keyring.backend.KeyringBackend:
        # Looked up on every call: the keyring may be configured (or replaced in tests) after start.
        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            raise NoKeyringError("no keyring backend available (keyring.backends.fail.Keyring)")
        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            raise NoKeyringError("keyring chainer has no usable backend")
        if "plaintext" in type(backend).__module__.lower() or "PlaintextKeyring" in type(backend).__name__:
            raise NoKeyringError(f"refusing plaintext keyring backend {type(backend).__name__}")
        return backend
