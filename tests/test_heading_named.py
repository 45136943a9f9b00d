"""A question that names a section by its own heading ("What goes in Applications/Emulators?")
finds the passage under that heading first, not a neighbour whose heading shares its words
("Applications/Terminal Emulators"), in real documents other than the plan."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from qa.assistant import Assistant
from tests.conftest import built_library

OTHER = Path(__file__).resolve().parents[1] / "eval" / "other" / "corpus"
DOCUMENTS = ("debian_menu_policy.txt", "debian_copyright_format_1_0.txt", "cc_by_4_0.txt")


def test_the_section_a_question_names_by_its_heading_ranks_first(tmp_path, encoder_dir):
    docs = {name: (OTHER / name).read_text(encoding="utf-8") for name in DOCUMENTS}
    assistant = Assistant.open(built_library(tmp_path, docs, encoder_dir), auto_build=False)
    question = "What goes in Applications/Emulators?"
    sections = [h.passage.section for h in assistant.search(question, k=3)]
    assert sections[0].endswith("> Applications/Emulators")
    # the ablation: without the heading match, the terminal emulators' section comes first
    assistant.retriever.config = replace(assistant.retriever.config, heading_weight=0.0)
    without = [h.passage.section for h in assistant.search(question, k=3)]
    assert without[0].endswith("Applications/Terminal Emulators")
    assert sections[0] in without
