"""A text repeated across a build's documents is embedded once, with the same rows."""

from __future__ import annotations

import numpy as np

from qa.index.build import embed_job, local_embed_many
from qa.index.embed_once import EmbedOnce
from qa.index.hash_embedder import HashEmbedder
from qa.index.vector_cache import EmbeddingJob


class Counting(HashEmbedder):
    def __init__(self) -> None:
        super().__init__(16)
        self.texts: list[str] = []

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.texts += texts
        return super().encode_passages(texts)


LICENCE = "Permission is hereby granted, free of charge, to any person."
JOBS = [
    EmbeddingJob.of("a.txt", [LICENCE, "Goats graze."], [LICENCE, "Goats graze."]),
    EmbeddingJob.of("b.txt", [LICENCE, "Ships unload."], [LICENCE, "Ships unload."]),
    EmbeddingJob.of("c.txt", [LICENCE], [LICENCE]),
]


def test_repeats_are_embedded_once_and_get_the_same_rows():
    counting = Counting()
    once = EmbedOnce(counting, [t for j in JOBS for t in (*j.passages, *j.sentences)])
    for job in JOBS:
        got = once.encode_passages(job.passages)
        np.testing.assert_array_equal(got, HashEmbedder(16).encode_passages(job.passages))
    assert counting.texts.count(LICENCE) == 1
    assert sorted(counting.texts) == sorted({LICENCE, "Goats graze.", "Ships unload."})


def test_a_repeat_is_let_go_after_its_last_use():
    once = EmbedOnce(HashEmbedder(8), ["x", "x", "y"])
    once.encode_passages(["x"])
    assert once._vectors.held == 1  # "x" comes again
    once.encode_passages(["x", "y"])
    assert once._vectors.held == 0


def test_a_build_over_repeating_documents_gives_the_vectors_of_one_by_one():
    counting = Counting()
    run = local_embed_many(counting, None, with_tokens=False)
    together = {job.key: vectors for job, vectors in run(JOBS)}
    for job in JOBS:
        alone = embed_job(job, HashEmbedder(16), None, with_tokens=False)
        np.testing.assert_array_equal(together[job.key].passages, alone.passages)
        np.testing.assert_array_equal(together[job.key].sentences, alone.sentences)
    assert counting.texts.count(LICENCE) == 1
