"""Embed documents on a Dask cluster (`qa index --dask local:N` or `--dask tcp://HOST:8786`).

Embedding is what bounds a build, and each document is an independent task, so the same build
(qa.index.build) hands its cache misses to Dask workers instead of embedding them here. Each
worker loads the encoders once; a task whose worker dies is run again by the scheduler; results
come back as they finish and are cached at once, so a build stopped half-way resumes.

Workers need planqa installed and the ONNX export at the same path (a shared folder). A local
cluster binds 127.0.0.1 only and has no dashboard, so nothing is reachable from the network.
Dask moves tasks between processes with pickle: a scheduler you connect to must be trusted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError
from qa.index.build import EmbedMany
from qa.index.vector_cache import DocumentVectors, EmbeddingJob

INSTALL = "pip install 'planqa[dask]'"
ADDRESS = re.compile(r"^(tcp|tls)://[\w.\-\[\]:]+:\d+$")


class DaskSetupError(QAError):
    """--dask names no usable cluster, or Dask is not installed."""


@dataclass(frozen=True)
class DaskTarget:
    """Where to embed: a local cluster of ``workers`` processes, or a scheduler's address."""

    workers: int = 0
    address: str = ""

    @classmethod
    def parse(cls, spec: str) -> DaskTarget:
        """Example: DaskTarget.parse("local:2") -> DaskTarget(workers=2, address='')"""
        spec = spec.strip()
        if spec.startswith("local:"):
            count = spec.removeprefix("local:")
            if not count.isdigit() or not 1 <= int(count) <= 256:
                raise DaskSetupError(
                    f"--dask {spec!r}: the worker count must be a number from 1 to 256, e.g. local:2"
                )
            return cls(workers=int(count))
        if ADDRESS.match(spec):
            return cls(address=spec)
        raise DaskSetupError(
            f"--dask {spec!r}: give local:N (a cluster of N workers on this machine) "
            "or a scheduler address such as tcp://HOST:8786"
        )


def _distributed():
    try:
        import distributed
    except ImportError:
        raise DaskSetupError(f"--dask needs Dask distributed; install it with {INSTALL}") from None
    return distributed


@contextmanager
def dask_client(target: DaskTarget) -> Iterator[object]:
    """A Dask client for the target; a local cluster is started here and stopped after."""
    distributed = _distributed()
    if target.workers:
        cluster = distributed.LocalCluster(
            n_workers=target.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=40,  # logging.ERROR: a killed worker is reported by us, not as a trace
        )
        client = distributed.Client(cluster)
    else:
        cluster = None
        try:
            client = distributed.Client(target.address, timeout="20s")
        except (OSError, TimeoutError) as e:
            raise DaskSetupError(
                f"no Dask scheduler answered at {target.address} ({e}); start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS`"
            ) from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def dask_embed_many(
    client, encoder_dir: Path, use_e5: bool, with_tokens: bool, threads: int = 0
) -> EmbedMany:
    """An EmbedMany that runs one task per document on the client's workers; ``threads`` is
    the encoder's threads in each worker (0: all the worker machine's cores)."""
    distributed = _distributed()

    def run(jobs: list[EmbeddingJob]) -> Iterator[tuple[EmbeddingJob, DocumentVectors]]:
        futures = {}
        for job in jobs:
            future = client.submit(
                embed_on_worker,
                job.passages,
                job.sentences,
                str(encoder_dir),
                use_e5,
                with_tokens,
                threads,
                key=f"embed-{job.key}",
            )
            futures[future.key] = (future, job)
        for future in distributed.as_completed([f for f, _ in futures.values()]):
            arrays = future.result()
            _, job = futures.pop(future.key)
            future.release()
            yield job, DocumentVectors(*arrays)

    return run


def dask_factory(client, encoder_dir: Path, target: DaskTarget):
    """What qa.assistant.build takes as ``embed_many_factory``: given the encoders the build
    loaded (to learn whether it uses e5 and token vectors), the Dask EmbedMany."""
    threads = max(1, (os.cpu_count() or 1) // target.workers) if target.workers else 0

    def factory(minilm, e5) -> EmbedMany:
        with_tokens = bool(getattr(minilm, "has_tokens", False))
        return dask_embed_many(client, encoder_dir, e5 is not None, with_tokens, threads)

    return factory


_worker_encoders: dict[tuple, tuple] = {}  # per worker process: loaded once, reused by tasks


def embed_on_worker(
    passages: list[str],
    sentences: list[str],
    encoder_dir: str,
    use_e5: bool,
    with_tokens: bool,
    threads: int,
) -> tuple:
    """The task: one document's vectors as a plain tuple of arrays (DocumentVectors' fields)."""
    from qa.index.build import embed_job

    key = (encoder_dir, use_e5, threads)
    if key not in _worker_encoders:
        from qa.index.onnx_minilm import OnnxMiniLM

        minilm = OnnxMiniLM(
            Path(encoder_dir), batch_size=64, threads=threads or os.cpu_count() or 1
        )
        e5 = None
        if use_e5:
            from qa.index.e5 import E5Small

            e5 = E5Small()
        _worker_encoders[key] = (minilm, e5)
    minilm, e5 = _worker_encoders[key]
    job = EmbeddingJob("", "", passages, sentences)
    v = embed_job(job, minilm, e5, with_tokens)
    return (v.passages, v.sentences, v.token_counts, v.tokens, v.e5, v.e5_sentences)
