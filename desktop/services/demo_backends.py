"""Demo and test set-up of department accounts: point each adapter at a running back-end and put its
account's secret into the keyring, exactly as an administrator would.

The caller (main.py --demo, tests, benchmarks) starts the sandboxes and passes their URLs and accounts in:
the workstation core never imports the sandbox package.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from adapters.registry import AdapterRegistry
from desktop.security.secrets import SecretStore

log = logging.getLogger(__name__)


def seed_backend_accounts(registry: AdapterRegistry, secrets: SecretStore, endpoints: Mapping[str, str],
                          accounts: Mapping[str, str], *, by: str = "demo",
                          extra_config: Mapping[str, Mapping[str, object]] | None = None) -> None:
    """Configure ``endpoint`` and ``account`` of every adapter in ``endpoints`` and store the secret.

    ``accounts`` is account -> secret (the sandboxes' DEFAULT_ACCOUNTS); the first account is used.
    ``extra_config`` adds per-adapter options (e.g. a short ``timeout_s`` in tests).
    Raises NoKeyringError when the keyring is unusable (nothing is written in plain text instead).
    """
    if not accounts:
        raise ValueError("no department account given")
    account, secret = next(iter(accounts.items()))
    for adapter_id, url in endpoints.items():
        config: dict[str, object] = {"endpoint": url, "account": account}
        config.update((extra_config or {}).get(adapter_id, {}))
        registry.configure(adapter_id, config, by)
        secrets.set(adapter_id, account, secret)
        log.info("demo back-end %s -> %s (account %s)", adapter_id, url, account)
