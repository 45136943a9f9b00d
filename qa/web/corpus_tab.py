"""The Corpus tab's handlers: list the documents; add, replace, remove one; download its file.

Each change updates the index (qa.web.corpus_update: a small library's is built aside, a large
one's changed in place) and swaps the new Assistant in, so questions are answered from the old
index until the new one is ready. A refused change is a message in the tab's status line: the
table and everything else stay as they were.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import gradio as gr

import qa.web.corpus_update as corpus_update
import qa.web.markdown as markdown
import qa.web.views as views
from qa.errors import QAError
from qa.index.corpus_stat import skipped_when_built
from qa.ingest.chinese_bytes import CHINESE_CODE_PAGES
from qa.ingest.formats import SUFFIXES, TEXT_SUFFIXES, WINDOWS_1252, read_text
from qa.web.audit import AuditEntry, append_entry, audit_path, check_room, entry, read_audit
from qa.web.corpus_update import check_upload_size
from qa.web.limits import DOWNLOADS
from qa.web.roles import client_key, is_admin, require_admin, username_of
from qa.web.shared import Shared, clamp, get_assistant, swap_assistant

CHANGE_OUTPUTS = 6  # status, documents table, manifest, reader dropdown, manage dropdown, header


def corpus_files(sources: list[str]) -> dict[str, tuple[int, float]]:
    """source -> (size in bytes, modification time) of those files in the corpus folder."""
    corpus = Path(get_assistant().settings.corpus_dir)
    out = {}
    for source in sources:
        try:
            st = (corpus / source).stat()
        except OSError:
            continue
        out[source] = (st.st_size, st.st_mtime)
    return out


def corpus_info() -> tuple[list[list], str, dict, dict]:
    """(documents table, manifest html, reader dropdown, manage dropdown). The table lists the
    files the index skipped too (a scanned PDF put in the folder), saying why."""
    assistant = get_assistant()
    sources = [d.source for d in assistant.documents]
    skipped = [(s.source, s.reason) for s in skipped_when_built(assistant.settings.index_dir)]
    first = sources[0] if sources else None
    files = corpus_files(sources + [source for source, _ in skipped])
    return (
        views.corpus_rows(assistant.documents, assistant.passages, files, skipped),
        views.manifest_html(assistant.index.manifest),
        gr.update(choices=sources, value=first),
        gr.update(choices=sources, value=first),
    )


def page_header() -> str:
    """The header's Markdown: the corpus's title (one document) or its size (more)."""
    return markdown.header_markdown(get_assistant().documents)


def _swap(change: Callable) -> None:
    with Shared.upload_lock:  # one change at a time; asking goes on with the serving index
        swap_assistant(change(get_assistant()))


def _summary(verb: str, name: str) -> str:
    assistant = get_assistant()
    count = sum(1 for p in assistant.passages if p.source == name)
    total = len(assistant.passages)
    # names passed check_upload_name or are known sources: a code span shows them literally
    if verb == "Removed":
        return f"Removed `{name}`; the index now has {total} passages."
    return f"{verb} `{name}`: {count} passages; the index now has {total}."


def add_document(name: str, data: bytes, progress: Callable | None = None) -> str:
    """Add one document (see qa.web.corpus_update) and swap in the new index."""
    _swap(lambda live: corpus_update.add_document(live, name, data, progress))
    return _summary("Added", name) + _encoding_note(name, data)


def replace_document(source: str, data: bytes, progress: Callable | None = None) -> str:
    """Install a new version of ``source`` and swap in the new index."""
    _swap(lambda live: corpus_update.replace_document(live, source, data, progress))
    return _summary("Replaced", source) + _encoding_note(source, data)


def _encoding_note(name: str, data: bytes) -> str:
    """What `qa index` notes of a text file read in a legacy code page, said of an upload too."""
    if Path(name).suffix.lower() not in TEXT_SUFFIXES:
        return ""
    encoding = read_text(data).encoding
    if encoding == WINDOWS_1252:
        return (
            " It was read as Windows-1252, not UTF-8: if letters look wrong in its passages, "
            "save it as UTF-8 and replace it."
        )
    if encoding in CHINESE_CODE_PAGES:
        return (
            " It was read as Chinese in GB18030 or Big5, not UTF-8: if characters look wrong in "
            "its passages, save it as UTF-8 and replace it."
        )
    return ""


def remove_document(source: str, progress: Callable | None = None) -> str:
    """Remove ``source`` from the corpus and swap in the new index."""
    _swap(lambda live: corpus_update.remove_document(live, source, progress))
    return _summary("Removed", source)


def _changed(message: str) -> tuple:
    rows, manifest, reader_choice, manage_choice = corpus_info()
    return f"✓ {message}", rows, manifest, reader_choice, manage_choice, page_header()


def _refused(message: str) -> tuple:
    """The status line says what went wrong; every other output keeps its value."""
    return (f"⚠ {message}", *[gr.update()] * (CHANGE_OUTPUTS - 1))


def _read_upload(file: str | None, what: str) -> tuple[str, bytes]:
    if not file:
        raise QAError(f"choose a file ({', '.join(SUFFIXES)}) to {what} first")
    path = Path(file)
    check_upload_size(path.name, path.stat().st_size)  # before reading it
    return path.name, path.read_bytes()


def _bar(progress) -> Callable:
    return lambda msg, frac: progress(clamp(frac), desc=msg)


def may_change(request: gr.Request | None, what: str) -> None:
    """The server-side check of every corpus change: the admin role, then the rate limit."""
    require_admin(Shared.access, username_of(request), what)
    Shared.changes.check(client_key(request))


def audit_user(request: gr.Request | None) -> str:
    """Who the audit log names: the login; "local" for the local user without one; else
    "anonymous" and the client's address."""
    user = username_of(request)
    if user:
        return user
    if Shared.access.anonymous_admin:
        return "local"
    client = getattr(request, "client", None) if request is not None else None
    return f"anonymous {getattr(client, 'host', None) or ''}".strip()


def _log(e: AuditEntry) -> str:
    """Append ``e`` to the audit log; "" once written, else a note for the status line."""
    path = audit_path(Shared.feedback_path)
    try:
        written = append_entry(path, e)
    except OSError as err:
        return f" (not written to the audit log {path}: {err.strerror or err})"
    if written or e.result == "refused":  # refused attempts past their share: not logged
        return ""
    return f" (not written to the audit log {path}: it is full)"


def _audited(action: str, document: str | None, request, change: Callable[[], str]) -> tuple:
    """Run ``change`` (its checks first), log what came of it, return the tab's outputs."""
    user = audit_user(request)
    try:
        message = change()
    except QAError as e:
        return _refused(str(e) + _log(entry(user, action, document, "refused", str(e))))
    except Exception as e:
        _log(entry(user, action, document, "failed", f"{type(e).__name__}: {e}"))
        raise
    # the status line's Markdown code spans (`name`) read as plain text in the log
    done = entry(user, action, document, "done", message.replace("`", ""))
    return _changed(message + _log(done))


def _name(file: str | None) -> str | None:
    return Path(file).name if file else None


def handle_upload(
    file: str | None,
    request: gr.Request | None = None,
    progress=gr.Progress(),  # noqa: B008
):
    """Add: (status, table, manifest, reader dropdown, manage dropdown, header)."""

    def change() -> str:
        may_change(request, "adding a document")
        check_room(audit_path(Shared.feedback_path))
        name, data = _read_upload(file, "add")
        return add_document(name, data, _bar(progress))

    return _audited("add", _name(file), request, change)


def handle_replace(
    source: str | None,
    file: str | None,
    request: gr.Request | None = None,
    progress=gr.Progress(),  # noqa: B008
):
    """Replace the chosen document with an uploaded new version (outputs as handle_upload)."""

    def change() -> str:
        may_change(request, "replacing a document")
        check_room(audit_path(Shared.feedback_path))
        if not source:
            raise QAError("choose the document to replace first")
        name, data = _read_upload(file, "replace it with")
        if Path(name).suffix.lower() != Path(source).suffix.lower():
            raise QAError(
                f"{source} is a {Path(source).suffix} document; choose a {Path(source).suffix} "
                f"file as its new version (not {Path(name).suffix or 'a file without a suffix'})"
            )
        return replace_document(source, data, _bar(progress))

    return _audited("replace", source, request, change)


def handle_remove(
    source: str | None,
    request: gr.Request | None = None,
    progress=gr.Progress(),  # noqa: B008
):
    """Remove the chosen document (outputs as handle_upload)."""
    if not source:  # nothing chosen, or the confirmation cancelled: nothing tried, no log
        return _refused("nothing removed: choose a document, then confirm the removal")

    def change() -> str:
        may_change(request, "removing a document")
        check_room(audit_path(Shared.feedback_path))
        return remove_document(source, _bar(progress))

    return _audited("remove", source, request, change)


def handle_audit(request: gr.Request | None = None) -> tuple:
    """The Corpus tab's audit log, for admins only: (its accordion, its rows newest first)."""
    if not is_admin(Shared.access, username_of(request)):
        return gr.update(visible=False), []
    rows = [
        [
            e.time.replace("T", " ").removesuffix("Z"),
            e.user,
            e.action,
            e.document,
            e.result,
            e.detail,
        ]
        for e in read_audit(audit_path(Shared.feedback_path))
    ]
    return gr.update(visible=True), rows


def original_file(source: str | None) -> str | None:
    """A temporary copy of ``source``'s file (the download button serves it), or None."""
    assistant = get_assistant()
    if not source or source not in {d.source for d in assistant.documents}:
        return None
    path = Path(assistant.settings.corpus_dir) / source
    if not path.is_file():
        return None
    copy = DOWNLOADS.make("doc") / Path(source).name
    shutil.copy2(path, copy)  # gradio serves files from the temp folder, not the corpus
    return str(copy)


def handle_choose(source: str | None) -> dict:
    """A document was chosen under Manage documents: the download button gets its file."""
    path = original_file(source)
    return gr.update(value=path, interactive=path is not None)


def handle_role(request: gr.Request | None = None) -> tuple:
    """Page load: the change controls (remove, replace, add) are shown to admins only; a
    reader sees a line saying why. The handlers check the role again on every change."""
    admin = is_admin(Shared.access, username_of(request))
    shown = gr.update(visible=admin)
    note = "" if admin else "Changing the corpus needs the admin role; you can read and ask."
    return shown, shown, shown, shown, shown, gr.update(value=note, visible=not admin)
