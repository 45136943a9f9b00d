"""What each part of retrieval and abstention buys, on an eval split (tune on dev only).

    python bench/ablate.py eval/dev.jsonl [eval/dev2.jsonl ...]
    QA_CORPUS_DIR=/tmp/other/corpus QA_INDEX_DIR=/tmp/other/index \
        python bench/ablate.py eval/other/*.jsonl --tag dev --rows answer   # other documents' dev rows

Each row turns one part off and prints the same figures as bench/tune.py. ``--tag`` keeps the
rows with that tag (the other documents' ``dev`` batches: never tune on ``blind``); ``--rows``
keeps the ablation rows whose label contains one of the given words.
"""

from __future__ import annotations

import argparse
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
    "- a passage whose heading the question names": {"heading_weight": 0.0},
    "- a passage holding the question's quoted phrase": {"quoted_weight": 0.0},
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
    "- copies of a text counted once (qa.retrieval.copies)": {"collapse_copies": False},
    "- documents named by kind searched alone ('does the plan ...')": {
        "designated_documents": False
    },
    "- a document named by its name searched alone ('the Apache License')": {
        "named_documents": False
    },
    "- a question within a few documents read against their words": {"scope_vocabulary": False},
    "- e5's second opinion on demand within a few documents": {"e5_opinion_passages": 0},
    "  e5's second opinion on demand from the best 5": {"e5_opinion_passages": 5},
    "- MiniLM's floor raised where it judges a large search alone": {
        "min_score_raise_without_e5": 0.0
    },
    "+ document support .2, depth 5": {"document_weight": 0.2, "document_depth": 5},
    "+ document topic 1": {"document_topic_weight": 1.0},
    "+ document topic .5": {"document_topic_weight": 0.5},
    "+ document topic .25": {"document_topic_weight": 0.25},
    "+ topic candidates 3x20 (no topic weight)": {"topic_documents": 3},
    "+ topic candidates 5x20 (no topic weight)": {"topic_documents": 5},
    "+ topic candidates 3x40 (no topic weight)": {"topic_documents": 3, "topic_passages": 40},
    "+ topic candidates 3x20, document topic 1": {
        "topic_documents": 3,
        "document_topic_weight": 1.0,
    },
    "+ 300 candidates": {"candidates": 300},
    "+ 300 candidates, document support .2, depth 5": {
        "candidates": 300,
        "document_weight": 0.2,
        "document_depth": 5,
    },
    "- length prior (shorter of equal matches first)": {"length_penalty": 0.0},
    "- bare headings ranked last": {"headings_last": False},
    "- answer-type check": {"type_check_depth": 0},
    "- answer about the asked subject (any sentence)": {"subject_words": 0},
    "  subject: any of the 2 rarest question words": {"subject_words": 2},
    "  subject: any of the 3 rarest question words": {"subject_words": 3},
    "- answer kinds told apart (any number answers)": {"type_kinds_apart": False},
    "  answer-type check over 5 passages": {"type_check_depth": 5},
    # issue 17, declining what a document does not say (the "decline" rows)
    "- decline: 'who wrote/maintains', 'which court' ask for a name": {"name_questions": False},
    "- decline: a value given as an example answers too": {"examples_answer": True},
    "- decline: value's sentence covers the question (subject word only)": {"value_coverage": 0.0},
    "  decline: value's sentence covers .4 of the question": {"value_coverage": 0.4},
    "  decline: value's sentence covers .6 of the question": {"value_coverage": 0.6},
    "- decline: hyphenated words hold their parts": {"subject_word_parts": False},
    "- decline: a typed acronym held where spelled out": {"acronyms_spelled": False},
    "- decline: a value covers its own part of a two-part question": {"value_clause": False},
    "- decline: 'how many X' needs a count near an X": {"counted_words": False},
    "- decline: a question word said in a close word": {"close_words": 0.0},
    "  decline: close words at cosine .7": {"close_words": 0.7},
    "  decline: close words at cosine .8": {"close_words": 0.8},
    "  decline: e5 floor .80 (other languages)": {"min_e5_score": 0.80},
    "- decline: all four rules above": {
        "name_questions": False,
        "examples_answer": True,
        "value_coverage": 0.0,
        "subject_word_parts": False,
    },
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
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", type=Path, nargs="*", default=[Path("eval/dev.jsonl")])
    ap.add_argument("--tag", help="only the questions with this tag (e.g. dev)")
    ap.add_argument("--rows", nargs="+", help="only ablation rows whose label holds one of these (put it after the files)")
    args = ap.parse_args()
    paths = args.files
    assistant = Assistant.open()
    items = [item for path in paths for item in load_eval_file(path)[0]]
    if args.tag:
        items = [item for item in items if args.tag in item.tags]
    spans, _ = locate_evidence(items, assistant.documents)
    base = assistant.retriever.config
    print(f"{', '.join(map(str, paths))}: {len(items)} questions")
    for label, change in ABLATIONS.items():
        if args.rows and label != "full system" and not any(w in label for w in args.rows):
            continue
        assistant.retriever.config = replace(base, **change)
        show(label, evaluate(assistant, items, spans))
    assistant.retriever.config = base


if __name__ == "__main__":
    main()
