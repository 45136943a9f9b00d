"""Converters side by side: speed and text quality on the bundled document rebuilt as PDF, DOCX
and HTML (tests/format_files.py), and on real files given on the command line.

    python bench/formats.py [file.pdf|file.html ...]

Quality on the rebuilt document: the share of its paragraphs (headings marked as headings) that
come back exactly, as a paragraph of the converted text.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qa.ingest.formats import convert  # noqa: E402
from tests.format_files import blocks, write_docx, write_html, write_pdf  # noqa: E402

PLAN = Path(__file__).resolve().parents[1] / "corpus" / "ip_strategy_action_plan_2014_2020.txt"


def pypdf_plain(data: bytes) -> str:
    import io

    import pypdf

    return "\n\n".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def pdfplumber_plain(data: bytes) -> str:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n\n".join(p.extract_text() or "" for p in pdf.pages)


def trafilatura_md(data: bytes) -> str:
    import trafilatura

    return trafilatura.extract(data.decode("utf-8"), output_format="markdown") or ""


def ours(path: Path):
    return lambda data: convert(path, data).text


def paragraphs_kept(reference: list[str], text: str) -> float:
    got = {" ".join(p.split()) for p in text.split("\n\n")}
    return sum(r in got for r in reference) / len(reference)


def timed(fn, data: bytes, repeat: int = 3) -> tuple[float, str]:
    """Best time of ``repeat`` runs; (nan, "") when the converter is not installed."""
    best, out = float("inf"), ""
    for _ in range(repeat):
        t = time.perf_counter()
        try:
            out = fn(data)
        except ImportError:  # pdfplumber / trafilatura are only compared, not dependencies
            return float("nan"), ""
        best = min(best, time.perf_counter() - t)
    return best, out


def main(extra: list[str]) -> None:
    plan = PLAN.read_text("utf-8")
    reference = [("#" * lv + " " if lv else "") + b for lv, b in blocks(plan)]
    plain = [b for _, b in blocks(plan)]
    with tempfile.TemporaryDirectory() as tmp:
        files = {
            "plan.pdf": write_pdf(plan, Path(tmp) / "plan.pdf"),
            "plan.docx": write_docx(plan, Path(tmp) / "plan.docx"),
            "plan.html": write_html(plan, Path(tmp) / "plan.html"),
        }
        runs = {
            "plan.pdf": {"ours (pypdf + layout)": ours(files["plan.pdf"]),
                         "pypdf extract_text": pypdf_plain, "pdfplumber": pdfplumber_plain},
            "plan.docx": {"ours (python-docx)": ours(files["plan.docx"])},
            "plan.html": {"ours (html.parser)": ours(files["plan.html"]),
                          "trafilatura markdown": trafilatura_md},
        }  # fmt: skip
        print(f"{'file':<12} {'converter':<24} {'ms':>8} {'paragraphs':>11} {'as text':>8}")
        for name, fns in runs.items():
            data = files[name].read_bytes()
            for label, fn in fns.items():
                seconds, text = timed(fn, data)
                exact = paragraphs_kept(reference, text)
                loose = paragraphs_kept(plain, text.replace("# ", "").replace("#", ""))
                print(f"{name:<12} {label:<24} {seconds * 1000:8.1f} {exact:11.2f} {loose:8.2f}")
    for arg in extra:
        path = Path(arg)
        data = path.read_bytes()
        fns = (
            {"ours": ours(path), "pypdf": pypdf_plain, "pdfplumber": pdfplumber_plain}
            if path.suffix == ".pdf"
            else {"ours": ours(path), "trafilatura": trafilatura_md}
        )
        for label, fn in fns.items():
            seconds, text = timed(fn, data, 1)
            heads = sum(p.startswith("#") for p in text.split("\n\n"))
            print(
                f"{path.name[:30]:<30} {label:<12} {seconds * 1000:8.1f} ms "
                f"{len(text):7d} chars {len(text.split(chr(10) * 2)):5d} paragraphs {heads} headings"
            )


if __name__ == "__main__":
    main(sys.argv[1:])
