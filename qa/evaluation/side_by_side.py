"""Two systems side by side on one eval file: the metric table of ``compare`` plus, per
question, which system "got" it and the other did not.

A system gets an answerable question when it answers (does not decline) and, where it can be
measured, its retrieved passages hold the evidence within 400 words (hit@W400); without
located evidence, when its answer carries at least half the evidence's words
(evidence_containment), or else just by answering. It gets an unanswerable question by
declining.
"""

from __future__ import annotations

from qa.evaluation.evaluate import compare


def got_it(row: dict) -> bool:
    """Whether one report row counts as got (see the module docstring).

    Example:
        >>> got_it({"answerable": True, "abstained": False, "metrics": {"hit@W400": 1.0}})
        True
        >>> got_it({"answerable": False, "abstained": False, "metrics": {}})
        False
    """
    if row.get("error"):
        return False
    if not row.get("answerable"):
        return bool(row.get("abstained"))
    if row.get("abstained"):
        return False
    m = row.get("metrics") or {}
    if m.get("hit@W400") is not None:
        return m["hit@W400"] >= 1
    if m.get("evidence_containment") is not None:
        return m["evidence_containment"] >= 0.5
    return True


def side_by_side(first: dict, second: dict, names: tuple[str, str]) -> dict:
    """``compare(first, second)`` (first is "old", second "new") plus ``names`` and
    ``got_only``: {name: ids that system got and the other missed}, over shared questions.

    Example:
        >>> a = {"rows": [{"id": "q1", "answerable": False, "abstained": True}]}
        >>> b = {"rows": [{"id": "q1", "answerable": False, "abstained": False}]}
        >>> side_by_side(a, b, ("other", "planqa"))["got_only"]
        {'other': ['q1'], 'planqa': []}
    """
    cmp = compare(first, second)
    rows_a = {r["id"]: r for r in first.get("rows") or []}
    rows_b = {r["id"]: r for r in second.get("rows") or []}
    shared = [q for q in rows_a if q in rows_b]
    cmp["names"] = list(names)
    cmp["got_only"] = {
        names[0]: [q for q in shared if got_it(rows_a[q]) and not got_it(rows_b[q])],
        names[1]: [q for q in shared if got_it(rows_b[q]) and not got_it(rows_a[q])],
    }
    cmp["got"] = {
        names[0]: sum(got_it(rows_a[q]) for q in shared),
        names[1]: sum(got_it(rows_b[q]) for q in shared),
    }
    return cmp
