"""A question runs every BLAS and OpenMP pool on one thread, and gives them back after."""

from __future__ import annotations

import os

import pytest
from threadpoolctl import threadpool_info


def pools() -> dict[str, int]:
    return {f"{i['user_api']}:{i['filepath']}": i["num_threads"] for i in threadpool_info()}


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: every pool has one thread")
def test_a_question_holds_blas_and_openmp_to_one_thread(plan_assistant, monkeypatch) -> None:
    retriever = plan_assistant.retriever
    plan_assistant.retrieve("知识产权质押贷款")  # loads e5's engine and its OpenMP
    seen: list[dict[str, int]] = []
    search = retriever.search

    def recording(*args, **kwargs):
        seen.append(pools())
        return search(*args, **kwargs)

    monkeypatch.setattr(retriever, "search", recording)
    before = pools()
    assert any(name.startswith("openmp:") for name in before)  # FAISS's, at least
    assert max(before.values()) > 1
    plan_assistant.retrieve("how are small enterprises supported in pledge loans?")
    plan_assistant.retrieve("知识产权质押贷款")
    assert len(seen) == 2
    for during in seen:
        assert during.keys() == before.keys()
        assert set(during.values()) == {1}
    assert pools() == before
