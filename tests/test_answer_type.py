from __future__ import annotations

import pytest

from qa.answering.answer_type import (
    counted_words,
    expected_type,
    has_answer_of_type,
    mentions_money,
    money_asked,
)
from qa.answering.subject import about, subject_of
from qa.answering.values import is_date


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How much does a patent examiner earn?", "quantity"),
        ("How many pilot projects will be launched?", "quantity"),
        ("What percentage of premiums is subsidised?", "percentage"),
        ("What tax rate did the President propose?", "percentage"),
        ("Which version of the licence came after 2.0?", "version"),
        ("What minimum version of libfoo must programs depend on?", "version"),
        ("How many days is the grace period?", "duration"),
        ("How long does a licensee have to cure a breach?", "duration"),
        ("Who was put in charge of the armament programme?", "person"),
        ("Which general will lead the army?", "person"),
        ("Which agency keeps the register?", "organisation"),
        ("What is the maximum number of packages in one file?", "quantity"),
        ("What is the salary of an examiner?", "quantity"),
        ("When will the courts be set up?", "date"),
        ("By what deadline must offices switch software?", "date"),
        ("Who heads the leading group?", "person"),
        ("Who is the commissioner of SIPO?", "person"),
        ("Who is the deputy minister of trade?", "person"),  # a role noun with modifiers
        ("Who is the current vice president?", "person"),
        ("Who is the target of the president's order?", None),  # no role is asked
        ("Which senators sponsored the bill?", "person"),  # a plural role asks for persons too
        ("Who are the authors of the policy?", "person"),
        ("What is the general rule for notices?", None),  # "general" here is no role
        ("What are the general principles?", None),  # nor after a verb
        ("Which Debian developer wrote the section?", "person"),  # a role with a modifier
        ("Which senior Debian developer signed it?", "person"),
        ("What is the largest size in bytes of a cache file?", "quantity"),  # a measure
        ("What is the length of a line?", "quantity"),
        ("What is the size of the problem?", "quantity"),
        ("Who is the owner of the licence?", None),
        ("In which city will the court be set up?", "place"),
        ("Which article of the law applies?", "article"),
        ("Which section covers geographical indications?", None),  # a heading answers it
        ("计划要培训多少名调解员？", "quantity"),
        ("What is the document number of the notice?", "document number"),
        ("政府机关使用正版软件的管理办法是哪份文件，文号是多少？", "document number"),
        ("How many documents will be issued?", "quantity"),
        ("How are small enterprises supported in pledge loans?", None),
        ("How should firms protect IP when they merge with others?", None),
        ("Who is held accountable for IP in research projects?", None),
        ("What does the plan say about trademarks?", None),
        ("", None),
        ("When farm research is graded, will patents count for more?", None),
        ("Will the office care about quality rather than just how many there are?", None),
        ("专利协同申请体系由谁来主导？", None),
        ("谁是国家知识产权局局长？", "person"),
        ("专利代理师资格考试多久举行一次？", "duration"),
        ("每年检查几次？", "quantity"),
        ("知识产权法院将在哪些城市设立？", "place"),
        ("知识产权法院设在哪里？", "place"),  # where it is set up: a place, as in English
        ("会议在哪里举行？", "place"),
        ("配置文件应该放在哪里？", None),  # where a file is put: a path, no place name
        ("Where should configuration files be put?", None),
        ("What is the maximum fine for infringement?", "quantity"),
        ("What are the annual fees for a patent?", "quantity"),
        ("What annual budget is allocated for software?", "quantity"),
        ("Will courts make fines for IP crimes harsher?", None),  # asks whether, not how much
        ("Under the plan, how many centres will be built?", "quantity"),
        ("Who will lead the national platform?", "person"),
        ("Who is going to head the new court?", "person"),
        ("Who will work together to set up operating companies?", None),
        ("What penalty will couriers face for delivering fakes?", "penalty"),
        ("What are the criminal penalties for piracy?", "penalty"),
        ("盗版游戏的处罚是什么？", "penalty"),
        ("Will courts hand out heavier financial penalties?", None),  # asks whether
        ("What is the penalty case disclosure notice?", None),  # names a document
        ("What sanctions await repeat infringers?", "penalty"),
        ("Why does the government publish punishments handed out?", None),
    ],
)
def test_expected_type(question, kind):
    assert expected_type(question) == kind


def test_document_numbers_are_not_answers():
    text = 'Implement the "Notice" (Guofa [State Council] 2014〕 No. 6) and the plan (2014-2020).'
    assert not has_answer_of_type(text, "quantity")
    assert not has_answer_of_type(text, "date")
    assert has_answer_of_type("Build 5 centres by 2020.", "quantity")
    assert has_answer_of_type("Build 5 centres by 2020.", "date")


def test_outline_labels_and_number_compounds_are_no_amounts():
    assert not has_answer_of_type("(2) Strengthen protection.\n\n2. Main actions", "quantity")
    assert not has_answer_of_type("Promote the two-way military-civilian transfer.", "quantity")
    assert has_answer_of_type("Set up two centres.", "quantity")
    assert has_answer_of_type("Main actions: build 2 centres.", "quantity")


def test_values_already_in_the_question_do_not_count():
    assert not has_answer_of_type("Patents rose by 2020.", "date", "What happens by 2020?")
    assert has_answer_of_type("Director Wang leads it.", "person")
    assert not has_answer_of_type("The office leads it.", "person")
    assert has_answer_of_type("Set it up in Shanghai.", "place")
    assert has_answer_of_type("See Article 12 of the law.", "article")


@pytest.mark.parametrize(
    "question",
    [
        "How many patent examination collaboration centers will be built by 2020?",
        "Who is the commissioner of the State Intellectual Property Office?",
        "What is the annual budget for software legalization?",
    ],
)
def test_in_domain_questions_the_plan_cannot_answer_are_declined(plan_assistant, question):
    ans = plan_assistant.ask(question)
    assert ans.abstained, ans.text
    assert "give none" in ans.reason
    assert ans.hits  # the closest passages are still shown


def test_a_document_number_is_the_answer_only_when_one_is_asked_for():
    notice = "Notice of the General Office of the State Council, Guobanfa [2014] No. 64"
    assert has_answer_of_type(notice, "document number")
    assert not has_answer_of_type("Improve the trademark review system.", "document number")
    assert not has_answer_of_type(notice, "quantity")  # "[2014] No. 64" names a document


def test_a_penalty_needs_a_sanction_not_the_word_penalty():
    asked = "What penalty will couriers face?"
    assert not has_answer_of_type("Disclose administrative penalty cases.", "penalty", asked)
    assert has_answer_of_type("Increase the severity of fines.", "penalty", asked)
    assert has_answer_of_type("Infringers face 3 years of imprisonment.", "penalty", asked)
    assert not has_answer_of_type("By 2020, build 3 centres.", "penalty", asked)


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Will universities pay lower patent fees?", "fees"),
        ("Will companies get tax breaks for buying software?", "tax"),
        ("Do inventors receive a cash reward?", "reward"),
        ("Will employees get a share of royalties?", "royalties"),
        ("Will the state subsidize IP insurance?", "subsidize"),
        ("企业能享受哪些税收优惠？", "税"),
        ("In the tax-free trade areas, who checks the goods?", ""),  # a place, not a tax
        ("How are pledge loans supported?", ""),
    ],
)
def test_money_a_question_asks_about(question, term):
    assert money_asked(question) == term


def test_money_evidence():
    assert mentions_money("Reduce patent application fees for SMEs.")
    assert mentions_money("Grant preferential tax treatment.")
    assert not mentions_money("Establish credit risk compensation funds and support pledge loans.")


@pytest.mark.parametrize(
    "text",
    [
        "5.1. Rights granted under this License terminate automatically.",
        "Binary modules are rebuilt as described in Section 4.4.2.",
        "The terms of Article 17(3) apply.",
        "2.1.3 Scope of the grant",
    ],
)
def test_section_numbers_are_no_amounts(text):
    assert not has_answer_of_type(text, "quantity")


def test_a_section_reference_still_answers_which_article():
    assert has_answer_of_type("The terms of Article 17 apply.", "article")
    assert has_answer_of_type("Raise the share to 3.5 percent.", "quantity")


@pytest.mark.parametrize(
    ("text", "kind", "answered"),
    [
        ("Rights terminate within 30 days of notice.", "date", True),  # a deadline answers when
        ("Rights terminate not later than sixty (60) days after notice.", "duration", True),
        ("Version 3, 29 June 2007", "date", True),
        ("Version 3, 29 June 2007", "quantity", False),  # a version and a date count nothing
        ("Comply with 17 CFR 240.13a-1 and 15 U.S.C. 78m.", "quantity", False),
        ("Comply with 17 CFR 240.13a-1 and 15 U.S.C. 78m.", "date", False),
        ("Build-Depends on debhelper (>= 3.0.18).", "version", True),
        ("Build-Depends on debhelper (>= 3.0.18).", "quantity", False),
        ("Raise the share to 3.5 percent.", "percentage", True),
        ("Build 35 centres.", "percentage", False),
        ("Mr. President, Mr. Speaker, Members of the Congress:", "person", False),
        ("Mr. Hopkins will run the programme.", "person", True),
        ("Franklin D. Roosevelt spoke.", "person", True),
        ("Licensed under the GNU General Public License.", "person", False),
        ("The Mozilla Foundation is the license steward.", "organisation", True),
        ("The Mozilla Foundation is the license steward.", "person", False),
        ("Courts will be set up in Hainan Province.", "place", True),
        ("See the notice in Exhibit A of the Source Code Form; source code form.", "place", False),
    ],
)
def test_general_parsers_tell_the_kinds_apart(text, kind, answered):
    assert has_answer_of_type(text, kind) is answered


def test_the_answer_must_be_about_the_asked_subject():
    question = "On what date was version 4 of the licence released?"
    context = "Version 3, 29 June 2007. Version 4 was discussed at length."
    subject = subject_of(question, [context])
    assert subject.numbers == ("4",)
    assert has_answer_of_type(context, "date", question)  # some date is there
    assert not has_answer_of_type(context, "date", question, subject)  # none about version 4
    released = "Version 4 was released on 1 May 2020."
    assert has_answer_of_type(released, "date", question, subject_of(question, [released]))


def test_the_subject_is_the_rarest_word_the_passages_use():
    question = "How many billions did the President ask Congress to appropriate for defense?"
    context = ["The Congress will appropriate 7 billion dollars for defense."]
    assert subject_of(question, context).words == ("congress",)
    two = subject_of(question, context, top=2).words
    assert two[0] == "congress" and len(two) == 2 and "billions" not in two  # a unit, not a topic
    assert about("Congress met.", subject_of(question, context))
    assert not about("The President spoke of 7 billion.", subject_of(question, context))
    assert not subject_of("How many?", context)  # nothing to be about: no check


@pytest.mark.parametrize(
    "text",
    ["37 straight months of growth", "for three consecutive years", "two more years of war"],
)
def test_a_word_between_a_durations_number_and_unit(text):
    """ "30 business days" was a duration; so are "37 straight months" and "two more years"."""
    assert has_answer_of_type(text, "duration")


def test_a_question_about_a_version_the_passages_lack_is_declined(tmp_path):
    from qa.answering.abstain import decide
    from qa.config import RetrievalConfig
    from qa.types import Hit, Passage, Signals

    text = "GNU licence. Version 3, 29 June 2007. Everyone may copy this licence document."
    hit = Hit(Passage(0, "lic.txt", 0, len(text), "", text), 0.9, 1)
    signals = Signals(sentence_top=0.9, term_coverage=1.0)
    question = "On what date was version 4 of the licence released?"
    decision = decide(question, [hit], signals, RetrievalConfig())
    assert decision.abstain and "'4'" in decision.reason
    no_subject = RetrievalConfig(subject_words=0, value_coverage=0.0)
    assert not decide(question, [hit], signals, no_subject).abstain
    asked_3 = "On what date was version 3 of the licence released?"
    assert not decide(asked_3, [hit], signals, RetrievalConfig()).abstain


@pytest.mark.parametrize(
    ("candidate", "is_one"),
    [
        ("29 June 2007", True),
        ("May 5", True),
        ("June 2007", True),
        ("June 45", False),
        ("2007-06-29", True),
        ("31/31/2007", False),
    ],
)
def test_dates_are_confirmed(candidate, is_one):
    assert is_date(candidate) is is_one


# ---- issue 17: declining what a document does not say (general rules, not one question's)


def test_who_wrote_or_maintains_asks_for_a_name():
    assert expected_type("Who maintains the menu package today?") == "person or organisation"
    assert expected_type("Who wrote the first draft of this license?") == "person or organisation"
    assert expected_type("Who maintains the menu package?", names_asked=False) is None
    assert expected_type("Who keeps an eye on patent agents?") is None  # no authorship verb
    role = "The Menu package maintainer is responsible for packaging administrivia only."
    assert not has_answer_of_type(role, "person or organisation")
    assert has_answer_of_type("It is maintained by the Acme Foundation.", "person or organisation")
    assert has_answer_of_type("Dr. Joey Hess maintains it.", "person or organisation")


def test_which_court_asks_for_a_court_or_a_place_by_name():
    question = "Which courts have jurisdiction over disputes about this License?"
    assert expected_type(question) == "named court or place"
    unnamed = (
        "Any litigation relating to this License may be brought only in the courts of a "
        "jurisdiction where the defendant maintains its principal place of business."
    )
    assert not has_answer_of_type(unnamed, "named court or place", question)
    named = "Disputes about this License go to the courts in Santa Clara County, California."
    assert has_answer_of_type(named, "named court or place", question)


def test_a_value_given_as_an_example_answers_nothing():
    from qa.answering.answer_type import TypeCheck

    spdx = (
        "For SPDX compatibility, versions with trailing dot-zeroes are considered to be "
        "equivalent to versions without (e.g., \u201c2.0.0\u201d is considered equal to \u201c2.0\u201d)."
    )
    question = "Which version of SPDX is this format compatible with?"
    assert not has_answer_of_type(spdx, "version", question)
    assert has_answer_of_type(spdx, "version", question, check=TypeCheck(examples=True))
    assert has_answer_of_type("This format follows SPDX version 2.1.", "version", question)
    assert not has_answer_of_type("Use a short name, for example GPL 2.0; see below.", "version")


def test_the_value_sentence_must_say_most_of_what_the_question_is_about():
    from qa.answering.answer_type import TypeCheck
    from qa.answering.coverage import coverage

    question = "How many days' notice must a contributor give before my patent licence ends?"
    cure = "You must become compliant within 30 days after a Contributor's notice."
    assert coverage(question, cure) < 0.5  # "patent", "ends", "give" are not said
    assert not has_answer_of_type(cure, "duration", question, check=TypeCheck(min_coverage=0.5))
    assert has_answer_of_type(cure, "duration", question)  # the check off: any duration
    ends = "A Contributor's patent licence ends 30 days after notice is given."
    assert coverage(question, ends) > 0.8  # all but "before" and "give" ("given")
    assert has_answer_of_type(ends, "duration", question, check=TypeCheck(min_coverage=0.5))
    # a naming number weighs as a name: the licence's title line dates version 3
    assert coverage("When was version 3 of the licence released?", "Version 3, 29 June 2007.") > 0.5


def test_a_hyphenated_word_holds_its_parts_for_the_subject():
    question = "When will version 2.0 of the copyright format be published?"
    context = ["Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"]
    assert subject_of(question, context).words == ("copyright",)
    assert subject_of(question, context, parts=False).words == ()
    assert not about("Apache License Version 2.0, January 2004", subject_of(question, context))


def test_how_many_x_is_answered_by_a_count_of_x():
    """A count answers "how many X?" only where it counts X: followed by it within a few words
    ("30 new pilot projects") or after "the number of X"; another count in a sentence on the
    subject ("two important requirements for the MIME database") answers nothing."""
    question = "How many applications already use the shared MIME database?"
    assert counted_words(question) == ("applic", "alread")
    assert counted_words("How many of them are there?") == ()  # nothing named: no rule
    two = "There are two important requirements for the way the MIME database is stored."
    assert not has_answer_of_type(two, "quantity", question)
    three = "Each application installs one XML file into one of the three directories."
    assert not has_answer_of_type(three, "quantity", question)
    used = "Some 40 applications already use the shared MIME database."
    assert has_answer_of_type(used, "quantity", question)
    pilots = "How many pilot projects will be launched?"
    assert has_answer_of_type("The plan will launch 30 new pilot projects.", "quantity", pilots)
    number = "The number of pilot projects will reach 30 by 2020."
    assert has_answer_of_type(number, "quantity", pilots)
    # the ablation: any count then answers
    from qa.answering.answer_type import TypeCheck

    assert has_answer_of_type(two, "quantity", question, check=TypeCheck(counted=False))


class _Table:
    """Word vectors where the words of each group point one way (cosine 1) and groups are
    orthogonal; every other word is orthogonal to all."""

    def __init__(self, *groups: tuple[str, ...]) -> None:
        self.axis = {w: i for i, group in enumerate(groups) for w in group}
        self.asked: list[list[str]] = []

    def vectors(self, words: list[str]):
        import numpy as np

        self.asked.append(list(words))
        out = np.zeros((len(words), len(self.axis) + len(words)), np.float32)
        for row, word in enumerate(words):
            out[row, self.axis.get(word, len(self.axis) + row)] = 1.0
        return out


def test_a_question_word_said_in_a_close_word_counts_as_said():
    from qa.answering.answer_type import TypeCheck
    from qa.answering.coverage import CloseWords, coverage

    question = "Which courts hear disputes about this licence?"
    sentence = (
        "Any litigation is subject to the Federal Courts of the Northern District of California."
    )
    assert coverage(question, sentence) < 0.5  # "courts" alone
    table = _Table(("disputes", "litigation"))
    close = CloseWords(table, 0.75)
    assert coverage(question, sentence, close=close) > 0.8  # "hear" is still not said
    assert table.asked == [["hear", "disputes", "litigation", "subject", "federal", "courts",
                            "northern", "district", "california"]]  # fmt: skip
    assert not has_answer_of_type(
        sentence, "named court or place", question, check=TypeCheck(min_coverage=0.5)
    )
    assert has_answer_of_type(
        sentence, "named court or place", question, check=TypeCheck(min_coverage=0.5, close=close)
    )
    # words of another meaning stay apart, and a sentence that says every word asks nothing
    assert coverage(question, sentence, close=CloseWords(_Table(), 0.75)) < 0.5
    said = CloseWords(table, 0.75)
    table.asked.clear()
    assert coverage(question, "Courts hear disputes about this licence.", close=said) == 1.0
    assert table.asked == []


def test_close_words_of_the_bundled_model(encoder_dir):
    """The threshold's meaning with MiniLM's own vectors: one root or one meaning is close, a
    neighbouring notion is not."""
    from qa.answering.coverage import CloseWords
    from qa.config import RetrievalConfig
    from qa.index.onnx_minilm import load_minilm
    from qa.index.word_table import WordTable

    minilm = load_minilm(encoder_dir)
    close = CloseWords(
        WordTable.empty(minilm.encode_queries, minilm.dim), RetrievalConfig().close_words
    )
    assert close.said(["growing", "disputes"], "37 months of growth, and litigation.") == {
        "growing",
        "disputes",
    }
    assert close.said(["patent", "shortfall"], "trademark rights; the deficit") == set()
