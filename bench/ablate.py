"""What each part of retrieval and abstention buys, on an eval split (tune on dev only).

    python bench/ablate.py eval/dev.jsonl [eval/dev2.jsonl ...]

Each row turns one part off and prints the same figures as bench/tune.py.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.tune import evaluate, show  # noqa: E402
from qa.assistant import Assistant  # noqa: E402
from qa.evaluation.evalset import load_eval_file, locate_evidence  # noqa: E402

ABLATIONS = {
    "full system": {},
    "- query expansion": {"expansion_per_word": 0},
    "- phrase matching": {"phrase_weight": 0.0},
    "- token matching (MaxSim)": {"token_weight": 0.0},
    "- BM25 (and expansion, phrases)": {"bm25_weight": 0.0, "phrase_weight": 0.0},
    "- e5 for unsure English": {"e5_weight": 0.0, "min_e5_english": 0.0},
    "- best-sentence scores": {"sentence_weight": 0.0},
    "- MiniLM feedback for Chinese": {"feedback_weight": 0.0},
    "- dictionary bridge to BM25 (Chinese)": {"dictionary_weight": 0.0},
    "- dictionary and e5 word bridges (Chinese)": {
        "dictionary_weight": 0.0,
        "cross_lexical_weight": 0.0,
    },
    "- neighbour merging": {"merge_depth": 0},
    "- length prior (shorter of equal matches first)": {"length_penalty": 0.0},
    "- bare headings ranked last": {"headings_last": False},
    "- answer-type check": {"type_check_depth": 0},
    "- keyword rules (literal, foreign word; English and Chinese)": {"literal_max_terms": 0},
    "- e5 second opinion (abstain)": {"min_e5_english": 0.0},
    "- acronyms and typos read as corpus words": {"read_corpus_words": False},
    "- Chinese keyword as its corpus word": {"bridge_min": 2.0},
    "- language detection (Latin-script questions)": {"detect_language": False},
    # the first stage: later scorers see only the top N of each first-stage retriever
    "candidates: top 20 per first-stage retriever": {"candidates": 20},
    "candidates: top 10 per first-stage retriever": {"candidates": 10},
    "candidates: top 5 per first-stage retriever": {"candidates": 5},
}


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [Path("eval/dev.jsonl")]
    assistant = Assistant.open()
    items = [item for path in paths for item in load_eval_file(path)[0]]
    spans, _ = locate_evidence(items, assistant.documents)
    base = assistant.retriever.config
    print(f"{', '.join(map(str, paths))}: {len(items)} questions")
    for label, change in ABLATIONS.items():
        assistant.retriever.config = replace(base, **change)
        show(label, evaluate(assistant, items, spans))
    assistant.retriever.config = base


if __name__ == "__main__":
    main()
