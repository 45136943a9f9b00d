"""The chat's example questions: about the bundled corpus, so they are shown only when the
served corpus has their words, and worked out again after every corpus change (an upload may
bring the words, a removal take them away).
"""

from __future__ import annotations

from qa.assistant import Assistant
from qa.ingest.words import content_words
from qa.web.shared import get_assistant

EXAMPLES = (  # about the bundled corpus
    "How are small enterprises supported in pledge loans?",
    "What does the plan say about patent navigation pilot projects?",
    "How will the trademark review system be improved?",
    "知识产权质押融资如何支持小微企业？",
    "What is the capital of France?",
)
DECLINED_EXAMPLE = EXAMPLES[-1]  # shows a decline over any corpus


def examples_for(assistant: Assistant) -> list[str]:
    """The examples that fit the corpus: all of them when it has every word the English
    ones search for (the bundled corpus), else only the one that shows a decline; questions
    about pledge loans over another corpus would name the wrong document."""
    vocab = assistant.retriever.reader.lexical.vocab
    english = [q for q in EXAMPLES if q.isascii() and q != DECLINED_EXAMPLE]
    terms = [
        t for q in english for t in assistant.retriever.query_terms(" ".join(content_words(q)))
    ]
    return list(EXAMPLES) if all(t in vocab for t in terms) else [DECLINED_EXAMPLE]


def example_samples() -> list[list[str]]:
    """The examples of the served corpus, as the chat's gr.Dataset holds them."""
    return [[q] for q in examples_for(get_assistant())]


def handle_examples() -> dict:
    """Page load and after each corpus change: the examples of the corpus served now."""
    import gradio as gr

    return gr.update(samples=example_samples())
