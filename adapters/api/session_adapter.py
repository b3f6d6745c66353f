"""A base class for the common kind of adapter: one HTTP connection pool and a department session (ticket,
sign-in number, bearer token) kept alive by a SessionKeeper."""

from __future__ import annotations

import abc
from datetime import datetime, timedelta
from typing import ClassVar

from .base import Adapter, AdapterContext, SessionExpired, SessionKeeper
from .errors import AdapterError
from .http import make_session, timeout_of
from .types import Credentials, SessionInfo


class SessionAdapter(Adapter):
    """Gives ``open_session``, ``session_info`` and ``close``; the subclass writes ``login`` (and ``logout``
    when its department has one) and makes every authorised call through ``self.keeper.call``.

    Sets ``self.http`` (a requests.Session with the configured CA bundle, no environment proxy),
    ``self.timeout`` (the configured ``timeout_s``) and ``self.keeper``.
    """

    #: how long before the department's expiry the keeper renews; 0 when ``login`` already keeps a margin
    renew_margin: ClassVar[timedelta] = timedelta(seconds=5)

    def __init__(self, context: AdapterContext) -> None:
        super().__init__(context)
        self.timeout = timeout_of(context.config)
        self.http = make_session(context.config)
        self.keeper = SessionKeeper(context, self.login, renew_margin=self.renew_margin)

    @abc.abstractmethod
    def login(self, credentials: Credentials) -> tuple[str, datetime | None]:
        """Log in with the department account: ``(token, expires_at or None when the department won't say)``.
        Raises AuthError when the department refuses the account."""

    def logout(self) -> None:
        """End the department session, when the department has a way to (default: nothing to do). May raise
        AdapterError or SessionExpired: ``close`` logs it, since the session then expires by itself."""

    def open_session(self) -> SessionInfo:
        self.keeper.token()
        return self.keeper.info

    def session_info(self) -> SessionInfo:
        return self.keeper.info

    def close(self) -> None:
        try:
            self.logout()
        except (AdapterError, SessionExpired) as exc:
            self.context.logger.info("%s: logout failed (%s); the session will expire by itself", self.id, exc)
        finally:
            self.keeper.drop()
            self.http.close()
