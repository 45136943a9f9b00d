"""Embedding on Dask workers (`qa index --dask`): the same index as a local build, a killed
worker's documents redone, clear messages for a bad address or a missing Dask."""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import replace

import numpy as np
import pytest

from qa.assistant import Assistant, build
from qa.index.distributed import DaskSetupError, DaskTarget, dask_client, dask_factory
from qa.index.store import load_index
from qa.ingest.corpus import load_corpus
from tests.conftest import write_corpus

DOCS = {
    f"doc{i}.txt": f"Topic {i}\n\n"
    + " ".join(
        f"Rule {i}.{j}: the {word} office files form {j} within {10 * j} days."
        for j, word in enumerate(["county", "harbour", "transport", "school", "water"], 1)
    )
    + "\n"
    for i in range(6)
}


def test_dask_targets_are_parsed_or_refused_with_a_hint():
    assert DaskTarget.parse("local:2") == DaskTarget(workers=2)
    assert DaskTarget.parse("tcp://10.0.0.5:8786") == DaskTarget(address="tcp://10.0.0.5:8786")
    for bad in ("local:0", "local:two", "10.0.0.5", "http://x:8786", "tcp://x"):
        with pytest.raises(DaskSetupError, match="local:N|worker count"):
            DaskTarget.parse(bad)


def test_without_dask_the_flag_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as when not installed
    with pytest.raises(DaskSetupError, match=r"pip install 'planqa\[dask\]'"):
        with dask_client(DaskTarget(workers=1)):
            pass


def test_no_scheduler_at_the_address_is_a_clear_error():
    with pytest.raises(DaskSetupError, match="no Dask scheduler answered at tcp://127.0.0.1:9"):
        with dask_client(DaskTarget(address="tcp://127.0.0.1:9")):
            pass


def _settings(tmp_path, name, encoder_dir):
    from qa.config import Settings

    return Settings(
        corpus_dir=tmp_path / "corpus",
        index_dir=tmp_path / name,
        encoder_dir=encoder_dir,
        use_e5=False,
    )


def test_a_local_cluster_builds_the_same_index_and_survives_a_killed_worker(
    tmp_path, encoder_dir
):
    write_corpus(tmp_path / "corpus", DOCS)
    local = _settings(tmp_path, "local", encoder_dir)
    build(local)
    on_dask = _settings(tmp_path, "dask", encoder_dir)
    target = DaskTarget(workers=2)
    with dask_client(target) as client:
        # kill one worker at its first task: the scheduler must run that task again elsewhere
        pids = client.run(os.getpid)
        victim = sorted(pids.values())[0]
        factory = dask_factory(client, encoder_dir, target)

        def killing_factory(minilm, e5):
            run = factory(minilm, e5)

            def embed(jobs):
                for n, result in enumerate(run(jobs)):
                    if n == 0:
                        os.kill(victim, signal.SIGKILL)
                    yield result

            return embed

        report = build(on_dask, embed_many_factory=killing_factory)
        assert victim not in client.run(os.getpid).values()  # it really died
    assert report.documents_embedded == len(DOCS)
    docs = load_corpus(local.corpus_dir)
    a, b = load_index(local.index_dir, docs), load_index(on_dask.index_dir, docs)
    assert a.passages == b.passages and a.sentences == b.sentences
    assert np.sum(a.minilm * b.minilm, axis=1).min() > 0.9999
    assert np.sum(a.minilm_sentences * b.minilm_sentences, axis=1).min() > 0.9999
    for question in ("which office files form 3?", "within how many days does the school file?"):
        ids = [
            [h.passage.id for h in Assistant.open(s, auto_build=False).search(question, k=3)]
            for s in (local, on_dask)
        ]
        assert ids[0] == ids[1]
    # the vector cache is shared by both ways of building: nothing left to embed
    again = replace(on_dask, index_dir=tmp_path / "again", cache_dir=on_dask.cache_path)
    assert build(again).documents_embedded == 0
