"""bench/other_figures.py: the figures table and the misses, on hand-made report rows."""

from __future__ import annotations

import json

import pytest

from bench.other_figures import figures, main, misses, table


def _row(i, kind, batch, answerable=True, abstained=False, hit150=1.0, hit400=1.0, mrr=1.0):
    return {
        "id": f"d-{i:03d}",
        "question": f"question {i}",
        "kind": kind,
        "tags": ["doc:d", batch],
        "answerable": answerable,
        "abstained": abstained,
        "metrics": {"hit@W150": hit150, "hit@W400": hit400, "mrr@10": mrr} if answerable else {},
        "passages": [{"source": "d.txt", "section": "", "score": 0.5, "text": "First\n passage."}],
    }


ROWS = [
    _row(1, "paraphrase", "dev", hit150=0.0, hit400=1.0, mrr=0.5),
    _row(2, "chinese", "dev", hit150=0.0, hit400=0.0, mrr=0.0),
    _row(3, "unanswerable", "dev", answerable=False, abstained=True),
    _row(4, "unanswerable", "blind", answerable=False, abstained=False),
    _row(5, "lexical", "blind", abstained=True),
]


def test_figures_count_answerable_and_unanswerable_apart():
    f = figures(ROWS[:3])
    assert f["n"] == 3
    assert f["hit@W150"] == 0.0 and f["hit@W400"] == 0.5 and f["mrr@10"] == 0.25
    assert f["abstain"] == 1.0 and f["false_abstain"] == 0.0
    assert f["chinese hit@W400"] == 0.0
    assert figures(ROWS[3:4])["hit@W400"] is None  # no answerable question: n/a, not 0


def test_table_splits_batches_and_adds_the_files_together():
    lines = table({"a": ROWS, "b": ROWS[:3]})
    assert lines[2].startswith("| a | dev | 3 | 0.000 | 0.500 | 0.250 | 1.000 | 0.000 | 0.000 |")
    assert lines[3] == "| a | blind | 2 | 1.000 | 1.000 | 1.000 | 0.000 | 1.000 | n/a |"
    assert lines[4].startswith("| b | dev | 3 |")
    assert lines[5].startswith("| 2 files together | dev | 6 |")
    assert table({"plain": [dict(ROWS[0], tags=[])]})[2].startswith("| plain | all | 1 |")


def test_misses_name_why_and_what_ranked_first():
    out = misses(ROWS)
    assert [line.split(" ")[1] for line in out] == ["d-002", "d-004", "d-005"]
    assert "evidence not in the first 400 words ranked" in out[0]
    assert "answered, though the documents do not say" in out[1]
    assert "declined, though the documents answer it" in out[2]
    assert "first: d.txt [-] 0.50: First passage." in out[2]


def test_main_reads_report_folders_and_names_a_missing_one(tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "report.json").write_text(json.dumps({"rows": ROWS}), encoding="utf-8")
    assert main([str(tmp_path / "run"), "--misses", "1"]) == 0
    out = capsys.readouterr().out
    assert "| run | dev | 3 |" in out and "d-002" in out and "d-004" not in out
    with pytest.raises(SystemExit):
        main([str(tmp_path / "nothing")])
    assert "run qa eval FILE --out" in capsys.readouterr().err
