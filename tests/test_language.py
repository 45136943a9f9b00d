"""A Latin-script question in another language goes the multilingual way; English stays."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qa.query.english import is_english_word
from qa.query.language import english_share, other_language

REPO = Path(__file__).resolve().parents[1]

# written to test routing (not tuned on for retrieval quality)
FOREIGN = {
    "Comment les petites entreprises sont-elles soutenues pour les prêts sur gage ?": "fr",
    "Qui est responsable de la protection des brevets ?": "fr",
    "Wie werden kleine Unternehmen bei Pfandkrediten unterstützt?": "de",
    "Erwähnt der Plan die Versicherung von geistigem Eigentum?": "de",
    "¿Menciona el plan el seguro de propiedad intelectual?": "es",
    "Quali misure sono previste contro la contraffazione?": "it",
    "Quais medidas existem contra a falsificação?": "pt",
    "Hoe worden kleine bedrijven ondersteund bij pandleningen?": "nl",
}


def test_english_share_leaves_acronyms_aside():
    english = {"insurance", "pilots"}.__contains__
    assert english_share("IP insurance pilots", english) == (1.0, 2)
    assert english_share("", english) == (1.0, 0)
    assert english_share("Wer ist zuständig?", english) == (0.0, 3)


@pytest.mark.parametrize("question, code", FOREIGN.items())
def test_other_languages_are_named(question, code):
    assert other_language(question, is_english_word) == code


@pytest.mark.parametrize(
    "question",
    [
        "Will it rain in Shanghai this weekend?",  # lingua alone says French
        "IP insurance pilots",
        "stricter penalites for criminal infringement",
        "Patentschutz",  # one word: too short to tell, left to the keyword rules
        "pledge laons",
    ],
)
def test_english_and_short_queries_stay_english(question):
    assert other_language(question, is_english_word) == ""


def test_no_english_eval_question_is_sent_across_languages(plan_assistant):
    read = plan_assistant.retriever.read
    for name in ("dev", "dev2", "test"):
        for line in (REPO / "eval" / f"{name}.jsonl").read_text("utf-8").splitlines():
            question = json.loads(line)["question"] if line.strip() else ""
            if question and not re.search(r"[\u3400-\u9fff]", question):
                query = read(question)
                assert query.language == "en" and not query.cross_lingual, question


def test_a_french_question_is_read_across_languages_as_written(plan_assistant):
    query = plan_assistant.retriever.read(next(iter(FOREIGN)))
    assert query.language == "fr" and query.cross_lingual and query.readings == ()
    hits = plan_assistant.retriever.retrieve(next(iter(FOREIGN)), 3).hits
    assert len(hits) == 3
