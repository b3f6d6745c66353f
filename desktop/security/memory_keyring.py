"""A keyring that lives only in this process's memory and is gone when it exits.

Used for the throwaway sandbox accounts of ``--demo`` on a machine without a system keyring, and by the
test suite. It never writes anything to disk, so it is not the plaintext fallback the product refuses:
the real workstation (not demo) still requires a system keyring for department secrets.
"""

from __future__ import annotations

import threading

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            if (service, username) not in self.store:
                raise keyring.errors.PasswordDeleteError(username)
            del self.store[(service, username)]
