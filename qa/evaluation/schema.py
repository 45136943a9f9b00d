"""Which reading of an eval file's columns applies: a gold set, or rows holding a system's output.

The same column name means different things in different tools. In planqa's own sets and in a
ragas test set, ``answer`` and ``contexts`` are the reference and its evidence. In ragas 0.1's
schema (``question``/``answer``/``contexts``/``ground_truth``) and in planqa's ``rows.csv`` they
are a system's output, and the reference sits in ``ground_truth`` or ``reference``. The reading
is chosen once per file from all its column names; a file that fits both is refused with a
message that names the option to choose, never guessed.

Readings:
    ``gold``     questions, references and evidence; planqa answers the questions.
    ``answers``  the rows also carry another system's answer (``response``, or ``answer`` beside
                 a reference) and its retrieved passages (``retrieved_contexts``, or
                 ``contexts`` beside the evidence); they are scored without running planqa.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.errors import EvalInputError

READINGS = ("gold", "answers")

# Alias lists per reading, in priority order: the first non-empty one wins.
GOLD_REFERENCE_KEYS = (
    "answer",
    "reference",
    "ground_truth",
    "expected_answer",
    "reference_answer",
)
GOLD_EVIDENCE_KEYS = (
    "evidence",
    "contexts",
    "reference_contexts",
    "ground_truth_context",
    "ground_truth_contexts",
)
ANSWERS_REFERENCE_KEYS = (
    "reference",
    "ground_truth",
    "ground_truths",  # ragas 0.1 before 0.1.0rc: a list, of which the first is the reference
    "expected_answer",
    "reference_answer",
)
ANSWERS_EVIDENCE_KEYS = (
    "evidence",
    "reference_contexts",
    "ground_truth_context",
    "ground_truth_contexts",
)
RESPONSE_KEYS = ("response", "answer")
RETRIEVED_KEYS = ("retrieved_contexts", "contexts")


@dataclass(frozen=True)
class Context:
    """One passage a system retrieved: its text (ragas), or where it sits in a document
    (``source``/``start``/``end``, the offsets into that document's text)."""

    text: str | None = None
    source: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Reading:
    """How a file's columns are read: the name and the alias lists it uses."""

    name: str
    reference_keys: tuple[str, ...]
    evidence_keys: tuple[str, ...]


GOLD = Reading("gold", GOLD_REFERENCE_KEYS, GOLD_EVIDENCE_KEYS)
ANSWERS = Reading("answers", ANSWERS_REFERENCE_KEYS, ANSWERS_EVIDENCE_KEYS)


def record_reading(keys: set[str]) -> str:
    """How one record's column names (lower case) read: "answers", "gold" or "ambiguous".

    Example:
        >>> record_reading({"question", "answer", "evidence"})
        'gold'
        >>> record_reading({"question", "answer", "contexts", "ground_truth"})
        'answers'
        >>> record_reading({"question", "answer", "contexts"})
        'ambiguous'
    """
    if keys & {"response", "retrieved_contexts"}:
        return "answers"
    if ("answer" in keys and keys & set(ANSWERS_REFERENCE_KEYS)) or (
        "contexts" in keys and keys & set(ANSWERS_EVIDENCE_KEYS)
    ):
        return "answers"
    if "answer" in keys and "contexts" in keys:
        return "ambiguous"
    return "gold"


def choose_reading(file: str, records_keys: list[set[str]], read_as: str | None = None) -> Reading:
    """The reading of a file from each record's column names: "answers" when any record holds
    a system's output, refused when a record fits both readings and none settles it.

    Example:
        >>> choose_reading("a.jsonl", [{"question", "answer", "evidence"}]).name
        'gold'
    """
    if read_as is not None:
        if read_as not in READINGS:
            raise EvalInputError(
                f"--read-as {read_as!r} is not a reading; choose one of {', '.join(READINGS)}"
            )
        return GOLD if read_as == "gold" else ANSWERS
    readings = {record_reading(keys) for keys in records_keys}
    if "answers" in readings:
        return ANSWERS
    if "ambiguous" in readings:
        raise EvalInputError(
            f'{file}: columns "answer" and "contexts" can be read two ways: as the reference '
            "answer and its evidence (a planqa eval set), or as a system's answer and the "
            "passages it retrieved (ragas 0.1). Choose with --read-as gold or --read-as answers "
            '(or rename the columns: "evidence" for evidence, "response" and '
            '"retrieved_contexts" for a system\'s output)'
        )
    return GOLD


# What a system says when it declines; matched case-insensitively anywhere in the response.
DECLINE_PHRASES = (
    "not in the document",
    "do not seem to cover",  # planqa's own decline, so its exported rows read back the same
    "does not seem to cover",
    "do not cover",
    "does not cover",
    "not found in the document",
    "does not say",
    "doesn't say",
    "no information",
    "cannot answer",
    "can't answer",
    "unable to answer",
    "i don't know",
    "i do not know",
    "does not contain",
    "doesn't contain",
    "not mentioned",
    "no answer",
)
