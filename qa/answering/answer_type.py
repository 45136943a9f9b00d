"""Does the retrieved text hold the kind of answer the question asks for?

In-domain questions the documents cannot answer ("how much money…", "by what deadline…", "who heads…")
look as similar to the documents as answerable ones, so a similarity threshold cannot tell them apart.
Classic QA systems check the expected answer type instead: a "how many" question needs a number in
the evidence, a "when" question a date, a "who heads" question a person's name. These are general
rules about question words, not about any particular question.

The values are read by general parsers (qa.answering.values: dates, durations, amounts,
percentages, versions, and numbers that only point somewhere; qa.answering.names: people,
organisations, places), and a value counts only in a sentence about the question's subject
(qa.answering.subject): a date beside "Version 3" does not say when version 4 came out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.answering import names, values
from qa.answering.coverage import CloseWords, coverage
from qa.answering.subject import Subject, about, function_words, stem_word
from qa.ingest.chunking import sentences

QUANTITY, DATE, PERSON, PLACE, ARTICLE = "quantity", "date", "person", "place", "article"
PENALTY = "penalty"
DOCUMENT_NUMBER = "document number"
DURATION, PERCENTAGE, VERSION, ORGANISATION = "duration", "percentage", "version", "organisation"
MONEY = "sum of money"
AGENT = "person or organisation"
COURT = "named court or place"

# "who wrote / maintains / founded X?" asks for whoever did it: a person's or an organisation's
# name. A role ("the Menu package maintainer") or a mailing list names nobody.
# "which courts hear disputes?" asks for a court or a place by name: "the courts of a
# jurisdiction where the defendant maintains its principal place of business" names none.
_NAME_QUESTIONS: list[tuple[str, re.Pattern]] = [
    (
        AGENT,
        re.compile(
            r"\bwho (wrote|writes|drafted|drafts|authored|created|creates|founded|maintains"
            r"|maintained|owns|owned|invented|designed|developed|develops|edited|edits"
            r"|translated|published|publishes|started)\b",
            re.I,
        ),
    ),
    (COURT, re.compile(r"\b(which|what) (courts?|tribunals?)\b", re.I)),
]

# nouns for a post a person holds: "who is the director", "which senator", "the name of the Speaker";
# the plural asks for persons too ("which senators", "who are the authors")
_PERSON_ROLES = (
    r"(head|commissioner|director|minister|chair|chairman|chairwoman|president|leader|premier"
    r"|spokesperson|speaker|secretary|governor|mayor|judge|senator|general|ambassador|officer"
    r"|author|editor|maintainer|developer)s?"
)
# a word before a role noun that modifies it: not a preposition, article or conjunction
_MODIFIER = r"(?!(?:of|for|to|in|on|at|by|with|from|and|or|the|a|an)\b)[a-z-]+"
# ...nor, after "which"/"what", a verb ("what are the general ..." asks for no person)
_ROLE_MODIFIER = (
    r"(?!(?:is|are|was|were|be|do|does|did|will|would|can|could|shall|should|may|might|must"
    r"|has|have|had)\b)" + _MODIFIER
)

_TYPE_PATTERNS: list[tuple[str, re.Pattern]] = [
    # before QUANTITY: "文号是多少" asks for a document number, not an amount
    (
        DOCUMENT_NUMBER,
        re.compile(r"\b(document|file|reference) (number|no\.?)\b|文号|文件编号|发文字号", re.I),
    ),
    # "which section covers X?" is answered by a passage's heading, so only numbered provisions
    (ARTICLE, re.compile(r"\b(which|what) (article|clause|paragraph)s?\b", re.I)),
    # "which version ...?", "what minimum version of X ...?"
    (VERSION, re.compile(r"\b(which|what) (\w+ )?versions?\b(?! of (the )?(document|text))", re.I)),
    (
        PERCENTAGE,
        re.compile(
            r"\bwhat (is the |was the )?(\w+ )?(percentage|percent|proportion|share|rate)\b"
            r"|\bhow many percent|百分之多少|比例是多少|比率",
            re.I,
        ),
    ),
    (
        DURATION,
        re.compile(
            r"\b(for )?how long\b|\bhow many (days|weeks|months|years|hours|minutes)\b"
            r"|\bwhat (is the )?(\w+ )?(period|duration|time limit)\b|多久|多长时间|几[天年]",
            re.I,
        ),
    ),
    # a quantity in a unit of money ("how many billions of dollars", "how much money") is a sum
    # of money: "43 Governors" does not answer it
    (
        MONEY,
        re.compile(
            r"\bhow (much|many) (money|cash|funding|(\w+ )?(dollars|yuan|euros|pounds)"
            r"|(thousands|millions|billions|trillions) of (dollars|yuan|euros|pounds))\b",
            re.I,
        ),
    ),
    (
        QUANTITY,
        re.compile(
            r"\bhow (much|many|often|large|big|high|far)\b"
            r"|\bwhat (is the )?(amount|number|sum|budget"
            r"|salary|wage|fee|cost|price|rate|quota|figure|ratio)\b"
            r"|\bwhat (numerical |numeric )?targets?\b.*\b(per|by \d{4}|percent|number)\b"
            r"|\bwhat (is |are |will be )?(the )?(\w+ )?(salary|salaries|budget|cost|costs|price|fine"
            r"|fines|fee|fees)\b"
            r"|\b(what|which) (is the )?(maximum|minimum) number\b"
            # a measure: "what is the largest size in bytes ...", "what is the length of ..."
            r"|\bwhat (is|are|was|were) the (\w+ ){0,2}(size|sizes|length|lengths|capacity|weight"
            r"|height|width|depth)\b"
            r"|[多几]少|多大|多高|几[个项家位次]|金额|预算|费用|工资|薪",
            re.I,
        ),
    ),
    (
        DATE,
        re.compile(
            r"^\s*(and\s+)?when\b(?![^?]*,\s*(will|can|could|does|do|did|is|are|should|would|may"
            r"|must|how|what)\b)|\b(what|which) (year|date|month|day|deadline)\b|\bby when\b|\bdeadline\b"
            r"|\bby what (date|time|year)\b|\bhow soon\b|什么时候|何时|哪一?年|截止",
            re.I,
        ),
    ),
    (
        PERSON,
        re.compile(
            # a role noun may carry up to two modifiers ("who is the executive director"), never
            # a phrase of its own ("who is the target of the president's ...")
            r"\bwho (heads|leads|chairs|runs|directs|signed|(is|are|was|were) the (" + _MODIFIER + r" ){0,2}"
            + _PERSON_ROLES
            + r")\b"
            r"|\bwho (will|would|shall|is going to|is to) (head|lead|chair|run|direct)\b"
            r"|\bwhat (is|was) the name of the (" + _MODIFIER + r" ){0,2}" + _PERSON_ROLES + r"\b"
            r"|谁是|是谁"
            # choosing someone for a post: "who was appointed to", "who did the president pick to"
            r"|\bwho (was|is|were|will be) (put|placed|appointed|named|chosen|picked|selected"
            r"|nominated|hired) (in charge|to|as)\b"
            r"|\bwho (did|does|will|would) ([\w'-]+ ){1,4}(choose|pick|select|appoint|nominate|name"
            r"|hire|put) (in charge|to|as)\b"
            r"|\b(which|what) (" + _ROLE_MODIFIER + r" ){0,2}(person|" + _PERSON_ROLES + r")\b",
            re.I,
        ),
    ),
    # "what penalty will X face?" asks for a sanction: a fine, a term, a revocation
    (
        PENALTY,
        re.compile(
            r"\bwhat (is |are |will be )?(the )?(\w+ )?(penalty|penalties|punishment|punishments"
            r"|sanction|sanctions)\b(?=\s*(\?|$|for|will|would|do|does|can|could|that|against"
            r"|if|when|under|awaits?))|处罚是什么|什么处罚|怎样的处罚|罚款多少",
            re.I,
        ),
    ),
    (
        ORGANISATION,
        re.compile(
            r"\b(which|what) (company|companies|organi[sz]ations?|agency|agencies|body|bodies"
            r"|institution|institutions|committee|ministry|department|university|foundation)\b"
            r"|哪[个些家](公司|机构|部门|组织)",
            re.I,
        ),
    ),
    (
        PLACE,
        re.compile(
            r"\b(in )?(which|what) (city|cities|province|provinces|country|countries|town|region)\b"
            r"|\bwhere (will|is|are|was|were|does|do)\b.*\b(located|set up|built|based|held|headquartered)\b"
            # "在哪里" as English's "where": where something is located, set up, built, held
            # or based ("设在哪里"), not where a file is put ("应该放在哪里": a path)
            r"|哪[个些座]城市|哪[个些]国家|哪[个些]省|哪些地区"
            r"|(设|设立|建|建立|位于|坐落|举办|举行|召开|总部)(在)?哪里|在哪里(设|建|举办|举行|召开)",
            re.I,
        ),
    ),
]

# Numbers that only name a document ("Guofa [2014] No. 6", "(2014-2020)") are not answers.
_CITATION_NUMBER = re.compile(
    r"[\[〔]\s*\d{4}|\d{4}\s*[\]〕]|No\.\s*\d+|\(\d{4}\s*[-–]\s*\d{4}\)|\[\d+\]"
)
_ARTICLE_EVIDENCE = re.compile(
    r"\b(Article|Clause|Section|Paragraph)\s+\d+|第[一二三四五六七八九十百\d]+条"
)
_PENALTY_EVIDENCE = re.compile(
    r"\d[\d,.]*\s*(yuan|RMB|dollars?|years? of (imprisonment|prison))"
    r"|\b(fine|fines|fined|imprison\w*|prison|jail|detention|revok\w*|revocation|confiscat\w*"
    r"|suspend\w*|suspension|blacklist\w*)\b|罚款|有期徒刑|拘留|吊销|没收",
    re.I,
)
# Chinese values (the parsers read English): a year, an amount, a count
_CHINESE_VALUE = re.compile(r"\d+\s*年|[一二三四五六七八九十百千万亿两\d]+\s*[个项家所批名次倍元]")

# Which typed values answer which kind of question (qa.answering.values, qa.answering.names).
_ANSWERED_BY: dict[str, frozenset[str]] = {
    QUANTITY: frozenset({values.COUNT, values.MONEY, values.PERCENTAGE, values.DURATION}),
    MONEY: frozenset({values.MONEY}),
    DATE: frozenset({values.DATE, values.YEAR, values.DURATION}),  # deadlines answer "when"
    DURATION: frozenset({values.DURATION, values.DATE, values.YEAR}),
    PERCENTAGE: frozenset({values.PERCENTAGE}),
    VERSION: frozenset({values.VERSION}),
    PERSON: frozenset({names.PERSON}),
    ORGANISATION: frozenset({names.ORGANISATION}),
    PLACE: frozenset({names.PLACE}),
    AGENT: frozenset({names.PERSON, names.ORGANISATION}),
    COURT: frozenset({names.ORGANISATION, names.PLACE}),
}
_REGEX_EVIDENCE = {
    DOCUMENT_NUMBER: _CITATION_NUMBER,
    PENALTY: _PENALTY_EVIDENCE,
    ARTICLE: _ARTICLE_EVIDENCE,
}


def expected_type(question: str, names_asked: bool = True) -> str | None:
    """The kind of answer a question asks for, or None for open questions (how, what, why).
    ``names_asked``: "who wrote/maintains ...?" and "which court ...?" ask for a name (False:
    the ablation, where only "who heads"-style questions do).

    Example: expected_type("How many centres will be built?") -> "quantity"
    """
    patterns = _TYPE_PATTERNS + (_NAME_QUESTIONS if names_asked else [])
    for name, pattern in patterns:
        if any(_is_question_word(question, m) for m in pattern.finditer(question)):
            return name
    return None


# Where one question ends and the next begins: "Which versions count, and what must I attach?"
_NEXT_QUESTION = re.compile(
    r"[,;]?\s+and\s+(?=(?:what|which|who|whom|when|where|how|why)\b)|;\s*|\?\s+", re.I
)


def asking_clause(question: str, answer_type: str, names_asked: bool = True) -> str:
    """The part of a question that asks for ``answer_type``: two questions joined by "and"
    each say half of what the whole is about, and a value answers its own half.

    Example: asking_clause("Which versions count, and what must I attach?", "version")
    -> "Which versions count"
    """
    parts = [p for p in _NEXT_QUESTION.split(question) if p and p.strip()]
    if len(parts) < 2 or any(len(p.split()) < 3 for p in parts):
        return question  # one question ("When and where was it signed?")
    for part in parts:
        if expected_type(part, names_asked) == answer_type:
            return part
    return question


def _is_question_word(question: str, match: re.Match) -> bool:
    """Only the clause's own question word counts: "how many" deep inside a clause
    ("quality rather than just how many there are") does not ask for a number."""
    if re.search(r"[\u3400-\u9fff]", match.group(0)):
        return True  # Chinese puts question words mid-sentence
    clause = re.split(r"[,;:]", question[: match.start()])[-1]
    return len(clause.split()) <= 4


@dataclass(frozen=True)
class TypeCheck:
    """How strictly a value must match the question (each field off is an ablation row)."""

    strict: bool = True  # False: any number answers a date, amount, version question
    examples: bool = False  # True: a value inside an example ("e.g. 2.0") answers too
    min_coverage: float = 0.0  # share of the question's word weight the value's sentence holds
    parts: bool = True  # a hyphenated word holds its parts for the subject rule
    acronyms: bool = True  # a typed acronym ("GPL") is held where a sentence spells it out
    counted: bool = True  # "how many X?": a count answers only near an X (False: any count)
    close: CloseWords | None = None  # a word the sentence says in a close word counts as said


def has_answer_of_type(
    text: str,
    answer_type: str,
    question: str = "",
    subject: Subject | None = None,
    check: TypeCheck | None = None,
) -> bool:
    """Whether text holds a value of that type that the question did not already say, in a
    sentence about the question's subject (when one is given) that says at least
    ``check.min_coverage`` of what the question is about (qa.answering.coverage).

    Example: has_answer_of_type("Build 5 centres.", "quantity") -> True
    """
    check = check or TypeCheck()
    return any(
        (subject is None or about(sentence, subject, check.parts))
        and (
            check.min_coverage <= 0
            or coverage(question, sentence, check.acronyms, check.close) >= check.min_coverage
        )
        for sentence in _sentences_with_answer(text, answer_type, question, check)
    )


def _sentences_with_answer(
    text: str, answer_type: str, question: str, check: TypeCheck
) -> list[str]:
    """The sentences of text holding a value of the type (values the question names, and
    values given as examples, aside)."""
    strict = check.strict
    if answer_type in _REGEX_EVIDENCE:
        pattern = _REGEX_EVIDENCE[answer_type]
        asked = {m.group(0).lower() for m in pattern.finditer(question)}
        matches = pattern.finditer(text)
        spans = [(m.start(), m.end()) for m in matches if m.group(0).lower() not in asked]
    else:
        wanted = _ANSWERED_BY[answer_type]
        if not strict and wanted & values.NUMERIC:
            wanted = values.NUMERIC
        found = names.find_names(text) if wanted & _NAME_KINDS else values.find_values(text)
        counted = counted_words(question) if check.counted else ()
        spans = [
            (v.start, v.end)
            for v in found
            if v.kind in wanted
            and not _asked(v, question)
            and (v.kind != values.COUNT or not counted or _counts(text, v, counted))
        ]
        if answer_type in (QUANTITY, DATE, DURATION):
            spans += [(m.start(), m.end()) for m in _CHINESE_VALUE.finditer(text)]
    if not check.examples:
        examples = values.example_spans(text)
        spans = [(a, b) for a, b in spans if not any(s <= a < e for s, e in examples)]
    out = []
    for s in sentences(text):
        if any(s.start <= a < s.end for a, _ in spans):
            out.append(text[s.start : s.end])
    return out


_NAME_KINDS = frozenset({names.PERSON, names.ORGANISATION, names.PLACE})
_HOW_MANY = re.compile(r"\bhow many ((?:[a-z][\w-]* ?){1,2})", re.I)
COUNT_REACH = 3  # words from a count to what it counts ("30 new pilot projects")


def counted_words(question: str) -> tuple[str, ...]:
    """The stems of what "how many ...?" counts: the (up to two) words after "how many" before
    a function word.

    Example: counted_words("How many applications already use it?") -> ("applic", "alreadi")
    """
    m = _HOW_MANY.search(question)
    if not m:
        return ()
    out = []
    for word in m.group(1).lower().split():
        if word in function_words():
            break
        out.append(stem_word(word))
    return tuple(out)


def _counts(text: str, value: values.Value, counted: tuple[str, ...]) -> bool:
    """Whether a count counts what the question counts: it is followed within COUNT_REACH
    words by it ("30 new pilot projects" answers "how many pilot projects ...?"), or follows
    "the number of" it ("the number of pilots will reach 30"); "two important requirements"
    does not answer "how many applications ...?".

    Example: _counts("Build 30 new pilot projects.", Value("count", 6, 8, "30"), ("project",))
    -> True
    """
    after = re.findall(r"[a-z][\w'-]*", text[value.end :].lower())[:COUNT_REACH]
    if any(stem_word(w) in counted for w in after):
        return True
    before = re.findall(r"[a-z][\w'-]*", text[: value.start].lower())[-8:]
    for i, word in enumerate(before[:-2]):
        if word == "number" and before[i + 1] == "of":
            return any(stem_word(w) in counted for w in before[i + 2 : i + 2 + COUNT_REACH])
    return False


def _asked(value: values.Value, question: str) -> bool:
    """A value the question already says ("by 2020", "after 2.0", "in China") is no answer."""
    numbers = re.findall(r"\d+(?:\.\d+)*", value.text)
    if numbers:
        return all(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", question) for n in numbers)
    return value.text.lower() in question.lower()


# A question about money paid or waived ("tax breaks", "fee cuts", "a cash reward", "a share of
# royalties") needs a passage that speaks of such money: the bundled plan's nearest passages on finance
# (funds, loans, insurance) look close to it but answer something else. "tax-free trade areas"
# names a place, not a tax.
_MONEY_TERMS = re.compile(
    r"\b(tax|taxes|taxation|fee|fees|subsid(?:y|ies|ise|ize|ised|ized|ising|izing)|rewards?"
    r"|bonus(?:es)?|royalt(?:y|ies)|rebates?)\b(?!-)|税|补贴|奖励|奖金|版税|提成",
    re.I,
)
_MONEY_EVIDENCE = re.compile(
    r"\b(tax\w*|fees?|charges?|subsid\w*|rewards?|awards?|bonus\w*|royalt\w*|rebates?"
    r"|remunerat\w*|incentives?|preferential|exempt\w*)\b",
    re.I,
)


def money_asked(question: str) -> str:
    """The money term a question asks about ("tax", "fees", "reward"), or "".

    Example: money_asked("Will universities pay lower patent fees?") -> "fees"
    """
    m = _MONEY_TERMS.search(question)
    return m.group(0) if m else ""


def mentions_money(text: str) -> bool:
    """Whether text speaks of money paid or waived: a tax, fee, subsidy, reward, royalty."""
    return bool(_MONEY_EVIDENCE.search(text))
