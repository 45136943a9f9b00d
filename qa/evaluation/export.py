"""``qa eval --export ragas FILE``: the rows of a report as ragas's ``EvaluationDataset``
reads them (``from_jsonl``: one ``SingleTurnSample`` per line), and a side file with what
ragas has no field for (ids, kinds, tags, answerable, abstained, offsets, planqa's metrics).

The side file starts with a header line that names its format (so a reader can check it);
after it, line n + 1 describes line n of the ragas file.
"""

from __future__ import annotations

import json
from pathlib import Path

from qa.evaluation.evaluate import EvalReport

EXPORT_FORMAT = "planqa-ragas-side v1"


def side_path(path: Path) -> Path:
    """Where the side file of a ragas export goes: beside it, ``.planqa.jsonl`` appended.

    Example:
        >>> side_path(Path("out/ragas.jsonl")).as_posix()
        'out/ragas.planqa.jsonl'
    """
    return path.with_name(f"{path.stem}.planqa.jsonl")


def ragas_sample(row: dict) -> dict:
    """One report row as a ragas ``SingleTurnSample`` dict (fields that are unknown omitted).

    Example:
        >>> ragas_sample({"question": "Q?", "answer": "A.", "passages": [],
        ...               "reference_answer": None, "evidence": []})
        {'user_input': 'Q?', 'retrieved_contexts': [], 'response': 'A.'}
    """
    passages = row.get("passages") or []
    sample = {
        "user_input": row["question"],
        "retrieved_contexts": [p.get("text") or "" for p in passages],
        "response": row.get("answer") or "",
    }
    ids = [f"{p['source']}:{p['start']}-{p['end']}" for p in passages if p.get("source")]
    if passages and len(ids) == len(passages):
        sample["retrieved_context_ids"] = ids
    if row.get("reference_answer"):
        sample["reference"] = row["reference_answer"]
    evidence = [e["text"] for e in row.get("evidence") or [] if e.get("text")]
    if evidence:
        sample["reference_contexts"] = evidence
    return sample


def side_record(row: dict) -> dict:
    """What ragas drops from one row, kept for the side file."""
    return {
        "id": row["id"],
        "kind": row.get("kind"),
        "tags": row.get("tags") or [],
        "answerable": row.get("answerable"),
        "abstained": row.get("abstained"),
        "reason": row.get("reason") or "",
        "evidence": row.get("evidence") or [],
        "passages": [
            {key: p.get(key) for key in ("rank", "source", "start", "end", "score", "found")}
            for p in row.get("passages") or []
        ],
        "metrics": row.get("metrics") or {},
        **({"error": row["error"]} if row.get("error") else {}),
    }


def render_ragas(report: EvalReport) -> tuple[str, str]:
    """(the ragas JSONL, the side JSONL) of a report; no blank lines (``from_jsonl`` reads
    every line as JSON)."""
    samples = [json.dumps(ragas_sample(r), ensure_ascii=False) for r in report.rows]
    header = {
        "format": EXPORT_FORMAT,
        "file": report.meta.get("file"),
        "system": report.meta.get("system"),
        "answer_tokens": report.meta.get("answer_tokens"),
    }
    side = [json.dumps(header, ensure_ascii=False)]
    side += [json.dumps(side_record(r), ensure_ascii=False) for r in report.rows]
    return "\n".join(samples) + "\n", "\n".join(side) + "\n"
