from __future__ import annotations

import pytest

from qa.answering.names import find_names
from qa.answering.values import find_values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Version 3, 29 June 2007; within 30 days.",
         [("version", "Version 3"), ("date", "29 June 2007"), ("duration", "within 30 days")]),
        ("See 17 CFR 240.13a-1 and Section 4.4.2.",
         [("citation", "17 CFR 240.13a-1"), ("section", "Section 4.4.2")]),
        ("5.1. Rights end not later than sixty (60) days after notice.",
         [("section", "5.1."), ("duration", "not later than sixty (60) days")]),
        ("Raise it to 3.5 percent by 2020.", [("percentage", "3.5 percent"), ("year", "2020")]),
        ("He asked for $1 trillion and seven billion dollars.",
         [("money", "$1 trillion"), ("money", "seven billion dollars")]),
        ("No one of them wants a two-way street.", []),  # pronouns and compounds count nothing
        ("Guofa [2014] No. 64", [("citation", "[2014]"), ("citation", "No. 64")]),
        ("", []),
        ("中文文本。", []),
    ],
)
def test_values_are_typed(text, expected):
    found = find_values(text)
    assert [(v.kind, v.text) for v in found] == expected
    assert all(text[v.start : v.end] == v.text for v in found)  # offsets slice back


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Hopkins met Franklin D. Roosevelt.",
         [("person", "Hopkins"), ("person", "Franklin D. Roosevelt")]),
        ("Mr. President, Mr. Speaker:", []),  # titles addressed, no name
        ("The Mozilla Foundation is the steward.", [("organisation", "Mozilla Foundation")]),
        ("Courts open in Shanghai and in Hainan Province.",
         [("place", "Shanghai"), ("place", "Hainan Province")]),
        ("Attach the notice in Exhibit A to the Source Code Form of the source code form.", []),
        ("Revise it in line with the Foreign Trade Law and the Patent Act.", []),  # titles
        ("Sun Microsystems, Inc. is the initial license steward.",  # a legal form after a comma
         [("organisation", "Sun Microsystems, Inc.")]),
        ("Copyright 2004 Acme Widgets, Ltd. and Google, LLC.",
         [("organisation", "Acme Widgets, Ltd."), ("organisation", "Google, LLC.")]),
        ("In Paris, Co. Kerry and Sections 1, 2, Inc. apart.", []),  # no company before them
    ],
)
def test_names_by_their_shape(text, expected):
    found = find_names(text)
    assert [(v.kind, v.text) for v in found] == expected
    assert all(text[v.start : v.end] == v.text for v in found)
