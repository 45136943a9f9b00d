"""Who can reach the app, and whether that is allowed: logins come from a file or the
environment (never the command line, which every user of the machine can read in the process
list), and an app reachable beyond this machine without a login refuses to start."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError

MAX_USERS_FILE = 64_000  # bytes


class ExposureError(QAError):
    """The app would serve beyond this machine without a login."""


def is_loopback(host: str) -> bool:
    """Only this machine reaches the address.

    Example: is_loopback("127.0.0.1") -> True; is_loopback("0.0.0.0") -> False
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def parse_login(text: str, where: str) -> tuple[str, str]:
    """``user:password`` (the password may contain colons) -> (user, password).

    Example: parse_login("ann:s3:cret", "QA_AUTH") -> ('ann', 's3:cret')
    """
    user, sep, password = text.strip().partition(":")
    if not sep or not user or not password:
        raise ValueError(f"{where}: a login must look like user:password")
    return user, password


SECTIONS = {"[readers]": False, "[admins]": True}  # header -> the logins below are admins


@dataclass(frozen=True)
class Users:
    """The logins the app requires and which of them are admins (may change the corpus)."""

    logins: tuple[tuple[str, str], ...]
    admins: frozenset[str]


def parse_users(text: str, where: str) -> Users:
    """Logins, one ``user:password`` a line; those under an ``[admins]`` line are admins,
    those before it (or under ``[readers]``) are readers. Blank lines and # comments skipped.

    Example: parse_users("ann:pw\\n[admins]\\nbob:p:w", "f").admins -> frozenset({'bob'})
    """
    found: dict[str, tuple[str, bool]] = {}
    admin = False
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[") and ":" not in stripped:
            if stripped.lower() not in SECTIONS:
                raise ValueError(
                    f"{where} line {n}: unknown section {stripped[:40]!r}; use [admins] "
                    "(may change the corpus) or [readers]"
                )
            admin = SECTIONS[stripped.lower()]
            continue
        user, password = parse_login(line, f"{where} line {n}")
        if user in found:
            raise ValueError(f"{where} line {n}: user {user!r} is listed twice; keep one line")
        found[user] = (password, admin)
    if not found:
        raise ValueError(f"{where}: no user:password line in it")
    return Users(
        logins=tuple((u, pw) for u, (pw, _) in found.items()),
        admins=frozenset(u for u, (_, is_admin) in found.items() if is_admin),
    )


def read_users(path: Path) -> Users:
    """The logins of a users file (see ``parse_users``)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(
            f"--auth {path}: no such file. Put one user:password a line in a file (readable only "
            "by you: chmod 600) and pass its path; a password typed on the command line is "
            "visible to every user of the machine"
        )
    if path.stat().st_size > MAX_USERS_FILE:
        raise ValueError(f"--auth {path}: over {MAX_USERS_FILE:,} bytes; is it the right file?")
    return parse_users(path.read_text("utf-8"), str(path))


def logins(auth_file: str | None, environment: str | None) -> Users | None:
    """The logins the app requires: from ``--auth FILE``, else ``$QA_AUTH`` (the same lines,
    newline-separated); None for none."""
    if auth_file:
        return read_users(Path(auth_file))
    if environment:
        return parse_users(environment, "QA_AUTH")
    return None


def check_exposure(host: str, share: bool, has_login: bool, allow_anonymous: bool) -> str:
    """ "" when the app may start; a warning to print when it starts open on purpose.

    Raises ExposureError when the app would be reachable beyond this machine (another
    address, or a public --share link) without a login and without --allow-anonymous.
    """
    exposed = share or not is_loopback(host)
    if not exposed or has_login:
        return ""
    where = "a public gradio.live link" if share else f"{host}, reachable from other machines"
    if not allow_anonymous:
        raise ExposureError(
            f"refusing to serve on {where} without a login: anyone who reaches it could read "
            "the documents. Add --auth FILE (one user:password a line) "
            "or set QA_AUTH=user:password; or, to serve it open on purpose, add "
            "--allow-anonymous"
        )
    return (
        f"WARNING: serving on {where} WITHOUT A LOGIN (--allow-anonymous): anyone who "
        "reaches it can read the documents. Changing the corpus is off; to allow it, log in "
        "with --auth FILE and list the admins under an [admins] line"
    )
