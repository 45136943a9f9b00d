"""Domain errors. The library raises these; the CLI and app turn them into messages."""

from __future__ import annotations


class QAError(Exception):
    """Base class: every message says what is wrong and what to do."""


class CorpusError(QAError):
    """The corpus folder is missing, empty, or holds a file we cannot read."""


class IndexNotFoundError(QAError):
    """No index has been built in the index folder."""


class IndexMismatchError(QAError):
    """The index on disk is corrupt, stale or built with another model or format."""


class EmptyQueryError(QAError):
    """The question is empty or only whitespace."""


class QueryTooLongError(QAError):
    """The question is longer than the bound we accept."""


class EvalInputError(QAError):
    """An evaluation file has a problem; the message names file, line and field."""


class ModelNotFoundError(QAError):
    """The bundled embedding model is not installed."""


class LockTimeoutError(QAError):
    """Another process held the index lock for longer than the timeout."""


class IndexWriteError(QAError):
    """The index could not be written (disk full, permission denied); the old one is kept."""


class ConfigError(QAError):
    """An environment variable or option has a value we cannot use."""


class InvalidQuestionError(QAError):
    """The question is not valid Unicode text (lone surrogates from bytes that were not UTF-8)."""


class VectorStoreError(QAError):
    """The vector engine is not installed, not reachable, or its storage is in use."""
