"""document_title: a document's heading line, else its readable file name (tiny documents)."""

from __future__ import annotations

import pytest

from qa.ingest.titles import MAX_TITLE_CHARS, document_title, is_title_line, readable_name
from qa.types import Document


@pytest.mark.parametrize(
    ("source", "text", "title"),
    [
        ("beta.md", "# Harbour rules\n\nBoats must dock before sunset.\n", "Harbour rules"),
        ("beta.md", "\n\n## Harbour rules ##\nBoats dock.\n", "Harbour rules"),
        ("beta.md", "#   Spaced   out   \n", "Spaced out"),
        ("alpha.txt", "Farming notes\n\n1. Crops\n\nGrow wheat in spring.\n", "Farming notes"),
        ("alpha.txt", "  Farming notes  \r\n\r\nGrow wheat.", "Farming notes"),
        ("alpha.txt", "Farming notes\n=============\n\nGrow wheat.\n", "Farming notes"),
        ("alpha.txt", "\ufeffFarming notes\n\nGrow wheat.\n", "Farming notes"),
        ("plan.txt", "Action Plan (2014-2020)\n\nText.\n", "Action Plan (2014-2020)"),
        # body text, not a title: the file name is used
        ("harbour_rules.txt", "Boats must dock before sunset.\n\nNets dry.\n", "Harbour rules"),
        ("harbour_rules.txt", "Boats must dock\nbefore sunset and\nat dawn\n", "Harbour rules"),
        ("harbour_rules.txt", "He said “dock now.”\n\nThen left.\n", "Harbour rules"),
        ("harbour_rules.txt", "Rules:\n\n1. Dock.\n", "Harbour rules"),
        ("harbour_rules.txt", "x" * (MAX_TITLE_CHARS + 1) + "\n\nBody.\n", "Harbour rules"),
        ("harbour_rules.txt", "2024 — 42\n\nBody.\n", "Harbour rules"),
        ("harbour_rules.txt", "#\n\nBody.\n", "Harbour rules"),
        ("docs/sea-port_notes.md", "", "Sea port notes"),
        ("notes.txt", "   \n\n \t\n", "Notes"),
        # unicode
        ("plan.txt", "知识产权战略行动计划\n\n加强知识产权保护。\n", "知识产权战略行动计划"),
        ("plan.txt", "加强知识产权保护。\n\n正文。\n", "Plan"),
        ("été.md", "# Règles du port\n", "Règles du port"),
        ("été_au_port.txt", "", "Été au port"),
    ],
)
def test_document_title(source, text, title):
    assert document_title(Document(source, text)) == title


def test_title_is_short_and_one_line():
    for text in ("# " + "word " * 100, "Title\n\nBody.", "", "一" * 500):
        title = document_title(Document("x_y.txt", text))
        assert "\n" not in title and title.strip() == title and title


@pytest.mark.parametrize(
    ("line", "expected"),
    [("Farming notes", True), ("Boats dock at noon.", False), ("What now?", False), ("", False)],
)
def test_is_title_line(line, expected):
    assert is_title_line(line) is expected


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("ip_strategy_action_plan_2014_2020.txt", "Ip strategy action plan 2014 2020"),
        ("a/b/c--d.md", "C d"),
        ("README", "README"),
        ("___.txt", "___.txt"),
    ],
)
def test_readable_name(source, name):
    assert readable_name(source) == name


def _title_from_every_line(document: Document) -> str:
    """document_title as it read a text before it read only the opening: every line split."""
    from qa.ingest import titles

    head = titles._opening_lines
    try:
        titles._opening_lines = lambda text: titles._with_first_filled(text.splitlines())
        return document_title(document)
    finally:
        titles._opening_lines = head


@pytest.mark.parametrize("blank", [0, 4000, 4090, 4094, 4095, 4096, 5000])
@pytest.mark.parametrize(
    "opening",
    [
        "Farming notes\n\nGrow wheat.",
        "Farming notes\r\n\r\nGrow wheat.",
        "Farming notes\n===\n",
        "Grow wheat.\n",
    ],
)
def test_a_long_document_is_titled_by_its_opening_as_by_every_line(blank, opening):
    # the title line anywhere near the head's end (4,096 characters), a "\r\n" cut there
    text = " " * blank + opening + "\n\nBody text." * 2000
    document = Document("harbour_rules.txt", text)
    assert document_title(document) == _title_from_every_line(document)
    assert document_title(Document("a.txt", "\n" * 5000 + "Farming notes\n\nx")) == "Farming notes"
