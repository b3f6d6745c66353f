"""A read-only keyring for dispatcher subprocesses in tests: ``PYTHON_KEYRING_BACKEND=_env_keyring.EnvKeyring``
reads the sandbox accounts' secrets from ``ONEWINDOW_TEST_SECRETS`` (JSON: "service|account" -> secret), so a
headless ``main.py dispatch`` started by a test logs in like a server with a real keyring would. Sandbox
secrets only; never a real one."""

from __future__ import annotations

import json
import os

import keyring.backend
import keyring.errors

ENV = "ONEWINDOW_TEST_SECRETS"


class EnvKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return json.loads(os.environ.get(ENV, "{}")).get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("read-only test keyring")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("read-only test keyring")
