"""Answer token-F1 of planqa's extractive answer next to "the top passage as the answer".

    python bench/answer_baseline.py eval/test.jsonl

Both are scored against the reference answers of answerable questions with the same token_f1 and
rouge_l as `qa eval`.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.assistant import Assistant  # noqa: E402
from qa.evaluation.evalset import load_eval_file  # noqa: E402
from qa.evaluation.metrics import rouge_l, token_f1  # noqa: E402


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "eval/test.jsonl")
    assistant = Assistant.open()
    items, _ = load_eval_file(path)
    scored = {"planqa answer": [], "top passage": [], "top sentence": []}
    rouge = {key: [] for key in scored}
    for item in items:
        if not item.answerable or not item.reference:
            continue
        answer = assistant.ask(item.question)
        top = answer.hits[0].passage.text if answer.hits else ""
        retrieval = assistant.retriever.retrieve(item.question, assistant.settings.answer.k)
        best_sentence = retrieval.sentences[0].text if retrieval.sentences else ""
        for key, text in (
            ("planqa answer", answer.text),
            ("top passage", top),
            ("top sentence", best_sentence),
        ):
            scored[key].append(token_f1(text, item.reference))
            rouge[key].append(rouge_l(text, item.reference))
    n = len(scored["top passage"])
    print(f"{path}: {n} answerable questions with reference answers")
    for key in scored:
        print(
            f"{key:15s} token_f1={statistics.mean(scored[key]):.3f}  rouge_l={statistics.mean(rouge[key]):.3f}"
        )


if __name__ == "__main__":
    main()
