"""Optional generative answers (`--llm`): a model writes the answer from the cited passages only.

The default answer stays extractive and offline (qa.answering.compose.compose). With a generator, the model
sees the retrieved passages as numbered, delimited data; every sentence it writes is then checked
against the passages it cites, and sentences the passages do not support are dropped (or flagged).
When nothing survives, or the extractive answer abstained, the extractive answer is returned, so
a generator can never weaken abstention or make up an answer the documents do not hold.

Prompt injection: the system message is a constant, the question and passages are quoted data
between tags they cannot close, and whatever the model writes must pass verify_sentences. Text
such as "ignore previous instructions" can at most make the model write unsupported sentences,
which are dropped.

Parts: the prompt (qa.answering.generate_prompt), the checks of generated sentences
(qa.answering.generate_verify), the models behind --llm (qa.answering.generate_backends).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from qa.answering.generate_backends import Generator
from qa.answering.generate_prompt import build_prompt, prompt_hits
from qa.answering.generate_verify import verify_sentences
from qa.types import Answer, Citation, Generation, Hit

UNSUPPORTED_FLAG = "[unsupported]"


def generate_answer(
    question: str,
    hits: Sequence[Hit],
    generator: Generator,
    extractive: Answer,
    max_new_tokens: int = 256,
    keep_unsupported: bool = False,
) -> Answer:
    """A generated answer whose every sentence is supported by the passages it cites.

    The text is the supported sentences, each followed by its [n] markers renumbered to the
    answer's own citations (first cited is [1]). With keep_unsupported=True the other sentences
    stay in place, flagged "[unsupported]" and citing nothing. Generated sentences are not
    verbatim, so the answer has no Quote objects (quotes=()) and its citations carry none: their
    validity is established by verify_sentences instead.

    The extractive answer is returned as it is (without calling the generator) when it
    abstained, and with the same text, quotes and citations when no generated sentence is
    supported; ``Answer.generation`` then says what happened (generator, dropped sentences).
    GenerationError from the generator is raised, not hidden.
    """
    shown = prompt_hits(hits)
    if extractive.abstained or not shown:
        return extractive
    raw = generator.generate(build_prompt(question, shown), max_new_tokens)
    verified = verify_sentences(raw, shown)
    dropped = [v.text for v in verified if not v.supported]
    name = getattr(generator, "name", type(generator).__name__)
    if not any(v.supported for v in verified):
        return replace(extractive, generation=Generation(name, False, tuple(dropped)))
    numbers: dict[int, int] = {}
    parts = []
    for v in verified:
        if v.supported:
            marks = "".join(f"[{numbers.setdefault(n, len(numbers) + 1)}]" for n in v.cited)
            parts.append(f"{v.text} {marks}")
        elif keep_unsupported:
            parts.append(f"{v.text} {UNSUPPORTED_FLAG}")
    citations = tuple(
        Citation(n=n, hit=shown[i - 1]) for i, n in sorted(numbers.items(), key=lambda kv: kv[1])
    )
    return Answer(
        question=question,
        text=" ".join(parts),
        abstained=False,
        quotes=(),
        citations=citations,
        hits=tuple(hits),
        signals=extractive.signals,
        generation=Generation(name, True, tuple(dropped)),
    )
