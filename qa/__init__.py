"""planqa: answers from policy documents with exact, cited passages, fully offline."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Assistant", "Settings", "Answer", "Hit", "Passage", "QAError"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from qa.assistant import Assistant
    from qa.config import Settings
    from qa.errors import QAError
    from qa.types import Answer, Hit, Passage


def __getattr__(name: str):
    # Lazy so that `import qa` stays instant; the assistant pulls in numpy, faiss and bm25s.
    if name == "Assistant":
        from qa.assistant import Assistant

        return Assistant
    if name == "Settings":
        from qa.config import Settings

        return Settings
    if name == "QAError":
        from qa.errors import QAError

        return QAError
    if name in ("Answer", "Hit", "Passage"):
        import qa.types

        return getattr(qa.types, name)
    raise AttributeError(name)
