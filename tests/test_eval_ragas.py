"""Both directions against the real ragas package (optional extra ``planqa[ragas]``): every
file ragas writes is read by ``qa eval``, and ``--export ragas`` loads in ragas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.evaluation.answers import evaluate_answers
from qa.evaluation.evalset import load_eval_file
from qa.evaluation.schema import Context
from tests.fakes import DOC, PASSAGES
from tests.test_eval_command import RECORDS, run

ragas_schema = pytest.importorskip(
    "ragas.dataset_schema",
    reason="OPTIONAL ragas TESTS SKIPPED: ragas is not installed; "
    "pip install -e '.[ragas]' to check the ragas round trip",
)
pytestmark = pytest.mark.ragas

EVIDENCE_1 = "The plan runs from 2014 to 2020."
SAMPLES = [
    {
        "user_input": "When does the plan run?",
        "retrieved_contexts": [EVIDENCE_1, "Patent quality must improve."],
        "response": "It runs from 2014 to 2020.",
        "reference": "From 2014 to 2020.",
        "reference_contexts": [EVIDENCE_1],
    },
    {
        "user_input": "What is the director's salary?",
        "retrieved_contexts": ["Grants go to small firms."],
        "response": "I don't know; the documents don't say.",
        "reference": "The document does not say.",
    },
]


def dataset():
    return ragas_schema.EvaluationDataset.from_list(SAMPLES)


def _check(items) -> None:
    assert [i.question for i in items] == [s["user_input"] for s in SAMPLES]
    assert all(i.has_output for i in items)
    assert items[0].retrieved == tuple(Context(text=t) for t in SAMPLES[0]["retrieved_contexts"])
    assert items[0].evidence == (EVIDENCE_1,) and items[0].reference == "From 2014 to 2020."
    assert [i.answerable for i in items] == [True, False]
    report, problems = evaluate_answers(items, [DOC], PASSAGES)
    assert problems == []
    assert report.summary["hit@W150"] == 1.0 and report.summary["abstain"] == 1.0


def test_reads_ragas_to_csv_with_python_list_cells(tmp_path):
    path = tmp_path / "ds.csv"
    dataset().to_csv(path)
    assert "['" in path.read_text(encoding="utf-8")  # ragas writes Python reprs, not JSON
    items, warnings = load_eval_file(path)
    assert warnings == []
    _check(items)


def test_reads_ragas_to_jsonl(tmp_path):
    path = tmp_path / "ds.jsonl"
    dataset().to_jsonl(path)
    _check(load_eval_file(path)[0])


def test_reads_hugging_face_json_lines_saved_as_json(tmp_path):
    pytest.importorskip("datasets", reason="OPTIONAL: datasets (a ragas dependency) missing")
    path = tmp_path / "ds.json"
    dataset().to_hf_dataset().to_json(str(path))
    _check(load_eval_file(path)[0])


def test_reads_ragas_to_pandas_csv(tmp_path):
    path = tmp_path / "pd.csv"
    dataset().to_pandas().to_csv(path, index=False)
    _check(load_eval_file(path)[0])


def test_export_loads_in_ragas_from_jsonl(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    target = tmp_path / "ragas.jsonl"
    assert run([str(gold), "--out", str(tmp_path / "o"), "--export", "ragas", str(target)]) == 0
    loaded = ragas_schema.EvaluationDataset.from_jsonl(str(target))
    assert len(loaded) == len(RECORDS)
    first = loaded.samples[0]
    assert isinstance(first, ragas_schema.SingleTurnSample)
    assert first.user_input == RECORDS[0]["question"]
    assert first.reference == RECORDS[0]["answer"]
    assert first.reference_contexts == RECORDS[0]["evidence"]
    assert first.retrieved_contexts[0] == EVIDENCE_1
    assert first.retrieved_context_ids[0].startswith("plan.txt:")
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert [s.response for s in loaded.samples] == [r["answer"] for r in report["rows"]]


def test_ragas_round_trip_of_an_export_reads_back_in_qa(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    target = tmp_path / "ragas.jsonl"
    assert run([str(gold), "--out", str(tmp_path / "o"), "--export", "ragas", str(target)]) == 0
    again = Path(tmp_path / "again.csv")
    ragas_schema.EvaluationDataset.from_jsonl(str(target)).to_csv(again)
    items, warnings = load_eval_file(again)
    assert warnings == [] and len(items) == len(RECORDS)
    assert items[0].retrieved[0] == Context(text=EVIDENCE_1)


def test_rouge_l_tokenisation_differs_from_ragas_and_is_named():
    """ragas's RougeScore stems and keeps articles and [n]; ours is squad-v1 (meta names it)."""
    import asyncio

    from ragas.metrics import RougeScore

    from qa.evaluation.metrics import ANSWER_TOKENISATION, rouge_l

    response, reference = "The policies end in 2020 [1].", "the policy ends by 2020"
    sample = ragas_schema.SingleTurnSample(response=response, reference=reference)
    theirs = asyncio.run(RougeScore(rouge_type="rougeL").single_turn_ascore(sample))
    assert round(theirs, 3) == 0.727
    assert rouge_l(response, reference) == 0.25
    assert ANSWER_TOKENISATION.startswith("squad-v1:")
