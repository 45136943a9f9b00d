"""Who may do what: reading (ask, search, read, evaluate) is open to whoever reaches the app;
changing the corpus (add, replace, remove a document) needs the admin role. The handlers check
the role of the request themselves, so hiding the buttons is a courtesy, not the protection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.errors import QAError
from qa.web.exposure import Users, is_loopback

if TYPE_CHECKING:
    import gradio as gr


class NotAllowedError(QAError):
    """The request's user may not do this (only admins change the corpus)."""


@dataclass(frozen=True)
class Access:
    """Which logins are admins; whether a request without a login (no --auth) is one."""

    admins: frozenset[str] = frozenset()
    anonymous_admin: bool = True  # 127.0.0.1 without a login: the local user runs the app


def access_for(users: Users | None, host: str, share: bool) -> Access:
    """The roles of a served app: with logins, the file's [admins]; without, the local user
    on 127.0.0.1 is admin and nobody is on another address or a --share link.

    Example: access_for(None, "0.0.0.0", False) -> Access(admins=frozenset(), anonymous_admin=False)
    """
    if users is not None:
        return Access(admins=users.admins, anonymous_admin=False)
    return Access(anonymous_admin=is_loopback(host) and not share)


def is_admin(access: Access, username: str | None) -> bool:
    if username is None:
        return access.anonymous_admin
    return username in access.admins


def username_of(request: gr.Request | None) -> str | None:
    """The logged-in user of a request; None without a login (or a direct call in tests)."""
    return getattr(request, "username", None) if request is not None else None


def client_key(request: gr.Request | None) -> str:
    """Whom a rate limit counts: the user, else the client's address, else "local"."""
    user = username_of(request)
    if user:
        return f"user:{user}"
    client = getattr(request, "client", None) if request is not None else None
    host = getattr(client, "host", None)
    return f"client:{host}" if host else "local"


def require_admin(access: Access, username: str | None, what: str) -> None:
    """NotAllowedError unless ``username`` may change the corpus."""
    if is_admin(access, username):
        return
    if username is None:
        raise NotAllowedError(
            f"{what} is off: this app serves without a login beyond this machine, so nobody "
            "may change the corpus here. Ask whoever runs it to add you under [admins] in its "
            "--auth file"
        )
    raise NotAllowedError(
        f"{what} needs the admin role and {username!r} is a reader; ask whoever runs the app "
        "to list you under [admins] in its --auth file"
    )
