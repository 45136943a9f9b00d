"""Acronyms read in the corpus's own words: pure rules, a tiny corpus, and the real plan."""

from __future__ import annotations

import json

import pytest

from qa.query.acronyms import AcronymReader, acronym_readings, reading_note, spelled_by
from qa.web.views import answer_markdown, md_escape

TEXT = (
    "Support small and micro enterprises in pledge financing. Small and micro enterprises get "
    "credit. Reform state-owned enterprises. Improve research and development of machinery. "
    "Regions to develop parks. Protect intellectual property. Use intellectual property. "
    "Manage intellectual property well. Import trade grows, import trade rules."
)


@pytest.fixture
def reader() -> AcronymReader:
    return AcronymReader.from_texts([TEXT])


@pytest.mark.parametrize(
    "token, readings",
    [
        ("SMEs", ["sme"]),
        ("R&D", ["r&d"]),
        ("IPR", ["ipr"]),
        ("IP", ["ip"]),
        ("Ip", []),
        ("S", []),
        ("smes", ["smes", "sme"]),
        ("SMES", ["smes", "sme"]),  # all capitals: the plural may be a letter
        ("SME's", ["sme"]),
    ],
)
def test_acronym_readings(token, readings):
    assert acronym_readings(token) == readings


def test_spelled_by_initials_with_linking_words_and_hyphens():
    assert spelled_by(["small", "and", "micro", "enterprises", "get"], "sme") == 4
    assert spelled_by(["state-owned", "enterprises"], "soe") == 2  # one letter per part
    assert spelled_by(["small", "and", "medium-sized", "enterprises"], "sme") == 4  # or the first
    assert spelled_by(["research", "and", "development"], "r&d") == 3
    assert spelled_by(["regions", "to", "develop"], "r&d") == 0  # "&" must be "and"
    assert spelled_by(["an", "intellectual"], "ai") == 0  # a stopword carries no letter
    assert spelled_by(["small", "micro"], "sme") == 0  # too short
    assert spelled_by(["research", "and", "development"], "rd", links=False) == 0


def test_the_corpus_says_what_an_acronym_stands_for(reader):
    assert reader.expand("How are SMEs helped?") == (
        "How are small and micro enterprises helped?",
        {"SMEs": "small and micro enterprises"},
    )
    assert reader.expand("SOEs")[0] == "state-owned enterprises"
    assert reader.expand("R&D plans")[0] == "research and development plans"
    assert reader.expand("SME's loans")[0] == "small and micro enterprises loans"
    assert reader.expand("help SMES")[0] == "help small and micro enterprises"


def test_an_ampersand_in_the_corpus_spells_too():
    amp = AcronymReader.from_texts(["Fund research & development. Tax research & development."])
    assert amp.expand("R&D")[1] == {"R&D": "research & development"}


def test_a_long_junk_question_looks_up_a_bounded_number_of_acronyms(reader, monkeypatch):
    from qa.query.acronyms import MAX_LOOKUPS_PER_QUESTION

    looked_up = []
    monkeypatch.setattr(
        reader, "spelling", lambda letters, context=(): looked_up.append(letters)
    )
    junk = "what " + " ".join(f"Q{a}{b}Z" for a in "ABCDEFGH" for b in "ABCDEFGH")
    assert reader.expand(junk) == (junk, {})
    assert len(looked_up) == MAX_LOOKUPS_PER_QUESTION


def test_two_letters_need_three_adjacent_matches(reader):
    assert reader.expand("IP rules")[0] == "intellectual property rules"  # three times
    assert reader.expand("IT rules") == ("IT rules", {})  # "it" is a word, not an acronym
    assert reader.expand("IX rules") == ("IX rules", {})  # no such run
    twice = AcronymReader.from_texts([TEXT.replace("Manage intellectual property well.", "")])
    assert twice.expand("IP rules") == ("IP rules", {})


def test_words_the_corpus_uses_and_shouting_are_left_alone(reader):
    assert reader.expand("PLEDGE financing") == ("PLEDGE financing", {})
    assert reader.expand("WHAT ABOUT SME") == ("WHAT ABOUT SME", {})
    assert reader.expand("NGOs")[1] == {}  # the corpus never spells it out


def test_the_questions_other_words_choose_among_the_runs_an_acronym_spells():
    licences = " ".join(
        f"Licence {i}. We sometimes make exceptions for this; write to the author." for i in range(4)
    )
    plan = (
        "Courts and trade. "
        + "Other text on other topics. " * 20
        + "Finance. Banks will support small and micro enterprises with pledge loans on patents."
    )
    reader = AcronymReader.from_texts([licences, plan])
    assert reader.expand("How are SMEs supported in pledge loans?")[1] == {
        "SMEs": "small and micro enterprises"
    }
    assert reader.expand("What are SMEs?")[1] == {"SMEs": "sometimes make exceptions"}  # commonest
    # the words must be near the run: "courts" and "trade" are in the plan, far from it
    assert reader.expand("Do SMEs go to courts over trade?")[1] == {
        "SMEs": "sometimes make exceptions"
    }
    assert reader.expansion("sme", ["author"]) == "sometimes make exceptions"


def test_an_acronym_the_corpus_uses_too_is_kept_and_spelled_out_where_some_document_never_uses_it():
    library = AcronymReader.from_texts(
        [
            "Licence. Your IP address is logged. The IP terms of intellectual property law apply.",
            "Plan. Protect intellectual property. Use intellectual property. Trade in "
            "intellectual property grows.",
        ]
    )
    assert library.expand("How is IP protected?") == (
        "How is IP (intellectual property) protected?",
        {"IP": "IP (intellectual property)"},
    )
    assert library.expand("how is ip protected?")[1] == {}  # typed as a word: read as one
    # every document that spells it out uses the acronym too: the acronym finds them itself
    licence = AcronymReader.from_texts(
        ["Common Development and Distribution License (CDDL). The CDDL applies. " * 3]
    )
    assert licence.expand("What does the CDDL cover?")[1] == {}


def test_function_words_carry_no_letter():
    assert spelled_by(["since", "my", "election"], "sme") == 0  # "my": a pronoun
    assert spelled_by(["we", "took", "office"], "wto") == 0
    assert spelled_by(["world", "trade", "organization"], "wto") == 3


def test_a_run_the_corpus_defines_the_acronym_as_wins_over_commoner_ones():
    texts = [
        "The end user agrees. Each end user pays. An end user may copy. EU rules apply.",
        "Law of the European Union (EU). The EU decides.",
        "Other end users. More end users.",
        "Treaties of the European Union.",  # spelled out, the acronym never used
    ]
    reader = AcronymReader.from_texts(texts)
    assert reader.expand("What does EU law say?")[1] == {"EU": "EU (european union)"}
    # undefined, the run must be beside the acronym in half the documents that use it
    undefined = AcronymReader.from_texts(
        [
            "We took office. We took office again. We took office once more. WTO talks.",
            "The WTO met.",
            "The WTO met again.",
        ]
    )
    assert undefined.expand("What is the WTO role?")[1] == {}


def test_reading_note():
    assert reading_note({}) == ""
    assert reading_note(
        {"SMEs": "small and micro enterprises", "R&D": "research and development"}
    ) == ('Read "SMEs" as "small and micro enterprises" and "R&D" as "research and development".')


# ---- the real plan: it never writes "SMEs", "IPR" or "R&D"


@pytest.mark.parametrize(
    "question, evidence",
    [
        ("SMEs", "small and micro enterprises"),
        ("Does the plan mention SMEs?", "small and micro enterprises"),
        ("How are SMEs supported in pledge loans?", "small and micro enterprises"),
        ("IPR protection at exhibitions", "intellectual property rights"),
    ],
)
def test_acronym_questions_are_answered_from_the_spelled_out_words(
    plan_assistant, question, evidence
):
    ans = plan_assistant.ask(question)
    assert not ans.abstained, ans.signals
    assert evidence in ans.text.lower()
    assert evidence in ans.signals.read_as.values()
    assert answer_markdown(ans).startswith(f"_{md_escape(reading_note(ans.signals.read_as))}_")


def test_the_cli_says_how_it_read_an_acronym(plan_settings, capsys, monkeypatch):
    from qa.cli import main

    monkeypatch.setenv("QA_CORPUS_DIR", str(plan_settings.corpus_dir))
    monkeypatch.setenv("QA_INDEX_DIR", str(plan_settings.index_dir))
    monkeypatch.setenv("QA_ENCODER_DIR", str(plan_settings.encoder_path))
    assert main(["ask", "SMEs", "--json"]) == 0
    out, err = capsys.readouterr()
    assert 'Read "SMEs" as "small and micro enterprises".' in err
    assert not json.loads(out)["abstained"]
    assert main(["search", "SMEs", "--json"]) == 0
    out, err = capsys.readouterr()
    assert 'Read "SMEs" as "small and micro enterprises".' in err
    assert json.loads(out)["passages"]


def test_an_expanded_acronym_does_not_make_a_question_a_keyword_query(plan_assistant):
    full = plan_assistant.ask("How are SMEs supported in pledge loans?")
    assert full.signals.read_as and not full.signals.keyword_query
    assert plan_assistant.ask("SMEs").signals.keyword_query


def test_the_eval_report_keeps_how_a_question_was_read(plan_assistant):
    from qa.evaluation.evalset import EvalItem
    from qa.evaluation.evaluate import run_evaluation

    item = EvalItem("q1", "SMEs", None, (), False, "keyword", (), 1)
    report = run_evaluation(plan_assistant.ask, [item], {}, k=5)
    assert report.rows[0]["signals"]["read_as"] == {"SMEs": "small and micro enterprises"}


def test_lowercase_acronyms_count_when_they_are_no_words(reader):
    english = {"cost", "smes"}.__contains__
    assert reader.expand("help for smes")[0] == "help for small and micro enterprises"
    assert reader.expand("r&d plans")[0] == "research and development plans"
    assert reader.expand("smes", is_word=english) == ("smes", {})  # a word the caller knows
    assert reader.expand("pledge")[1] == {}  # a corpus word
    assert reader.expand("tell me")[1] == {}  # two lowercase letters are too often a word


def test_lowercase_acronyms_on_the_plan(plan_assistant):
    ans = plan_assistant.ask("ipr protection at exhibitions")
    assert ans.signals.read_as == {"ipr": "intellectual property rights"}
    assert not ans.abstained


@pytest.mark.parametrize("word", ["vases", "ales", "mime", "pics", "amps"])
def test_english_words_are_not_read_as_initials(plan_assistant, word):
    # each spells a run of plan words by chance ("value analysis standards and evaluation")
    assert plan_assistant.ask(word).signals.read_as == {}


@pytest.mark.parametrize("question", ["R&D", "SMEs", "SME's financing"])
def test_an_acronym_alone_is_a_keyword_query(plan_assistant, question):
    ans = plan_assistant.ask(question)
    assert ans.signals.keyword_query, ans.signals
    assert not ans.abstained


def test_reading_can_be_turned_off(plan_assistant, monkeypatch):
    from dataclasses import replace

    off = replace(plan_assistant.retriever.config, read_corpus_words=False)
    monkeypatch.setattr(plan_assistant.retriever, "config", off)
    assert plan_assistant.retriever.reader.in_corpus_words("SMEs pledge laons", off) == (
        "SMEs pledge laons",
        (),
    )
    query = plan_assistant.retriever.read("SMEs pledge laons")
    assert query.lookup == "SMEs pledge laons" and query.readings == ()


@pytest.mark.parametrize("question, word", [("AI patents", "ai"), ("EU cooperation", "eu")])
def test_a_two_letter_acronym_the_plan_never_uses_is_declined(plan_assistant, question, word):
    ans = plan_assistant.ask(question)
    assert ans.abstained
    assert word in ans.signals.foreign_words


def test_a_two_letter_acronym_the_plan_spells_out_is_still_answered(plan_assistant):
    ans = plan_assistant.ask("IP courts")
    assert not ans.abstained
    assert "intellectual property court" in ans.text


# ---- the corpus searched, not tabled: the same answers as reading every word


def _expansion_by_reading_every_word(texts: list[str], letters: str) -> str:
    """How AcronymReader found expansions before it searched: every run of every text read."""
    from collections import Counter

    from qa.query.acronyms import word_runs

    weak = len(letters) == 2
    counts: Counter[str] = Counter()
    for run in (run for t in texts for run in word_runs(t)):
        for i, word in enumerate(run):
            if word[0].lower() == letters[0]:
                length = spelled_by(run[i : i + 2 * len(letters)], letters, links=not weak)
                if length:
                    counts[" ".join(run[i : i + length]).lower()] += 1
    best = counts.most_common(1)
    return best[0][0] if best and (not weak or best[0][1] >= 3) else ""


TRICKY = (
    "Small\u00a0and Micro\u2003Enterprises (SMEs). State-owned- enterprises; x-state owned "
    "enterprises. Research &amp; Development, research&development, R & D. Research\nand\n"
    "development. -small micro entities - small - micro - entities. SMALL AND MICRO ENTERPRISES! "
    "Café small and micro enterprises"
)


def _letter_strings(texts: list[str], most: int) -> list[str]:
    """Letters the texts' own word runs spell (found) and their near misses (mostly not)."""
    from qa.query.acronyms import word_runs

    seen: dict[str, None] = {}
    for run in (run for t in texts for run in word_runs(t)):
        for i in range(len(run) - 3):
            initials = "".join(w[0].lower() for w in run[i : i + 4] if w[0].isalpha())
            for n in (2, 3, 4):
                seen.setdefault(initials[:n], None)
                seen.setdefault(initials[:n][::-1], None)
    letters = [s for s in seen if len(s) >= 2][:most]
    return letters + ["r&d", "s&t", "sme", "soe", "smes", "zzq"]


@pytest.mark.parametrize("corpus", ["plan", "licence", "tricky"])
def test_searching_the_corpus_finds_what_reading_every_word_found(corpus):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    texts = {
        "plan": [p.read_text(encoding="utf-8") for p in (root / "corpus").glob("*.txt")],
        "licence": [
            p.read_text(encoding="utf-8") for p in sorted((root / "eval/other/corpus").glob("*.txt"))
        ][:2],
        "tricky": [
            TRICKY,
            "Another document: small\nand",
            "micro enterprises",
            "ASCII only: state\x1fowned\x1centerprises, in its plan",  # str.isspace() separators
        ],
    }[corpus]
    reader = AcronymReader.from_texts(texts)
    letters = _letter_strings(texts, 300)
    expected = {s: _expansion_by_reading_every_word(texts, s) for s in letters}
    found = {s: reader.expansion(s) for s in letters}
    assert found == expected
    assert sum(bool(v) for v in expected.values()) >= 5 or corpus == "tricky"


def test_every_space_str_knows_parts_words_in_the_scanned_text():
    from qa.query.corpus_scan import CorpusScan

    spaces = [c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \t\n\r\v\f"]
    for text in ("ascii", "caf\u00e9"):  # an ASCII text is encoded without the Unicode pass
        used = [c for c in spaces if c.isascii() or not text.isascii()]
        scan = CorpusScan([text + "".join(f"a{c}" for c in used)])
        assert scan.data == text.encode() + b"a " * len(used)
        assert len(used) == (4 if text.isascii() else len(spaces))


def test_corpus_words_are_whole_words_of_any_case_and_documents_stay_apart():
    reader = AcronymReader.from_texts([TRICKY, "IP-based tools. Ipr\u00a0rules"])
    assert reader.is_corpus_word("micro") and reader.is_corpus_word("cafe") is False
    assert reader.is_corpus_word("ipr")  # "Ipr": any case
    assert not reader.is_corpus_word("ip")  # only inside the hyphenated "IP-based"
    assert not reader.is_corpus_word("owned-")
    assert not reader.is_corpus_word("r&d")
    # "small\nand" ends one document and "micro enterprises" opens the next: no run across
    apart = AcronymReader.from_texts(["Grants for small and", "micro enterprises grow."])
    assert apart.expansion("sme") == ""
    assert reader.expansion("sme") == "small and micro enterprises"
