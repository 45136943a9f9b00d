"""Does the retrieved text hold the kind of answer the question asks for?

In-domain questions the documents cannot answer ("how much money…", "by what deadline…", "who heads…")
look as similar to the documents as answerable ones, so a similarity threshold cannot tell them apart.
Classic QA systems check the expected answer type instead: a "how many" question needs a number in
the evidence, a "when" question a date, a "who heads" question a person's name. These are general
rules about question words, not about any particular question.
"""

from __future__ import annotations

import re

QUANTITY, DATE, PERSON, PLACE, ARTICLE = "quantity", "date", "person", "place", "article"
PENALTY = "penalty"
DOCUMENT_NUMBER = "document number"

_TYPE_PATTERNS: list[tuple[str, re.Pattern]] = [
    # before QUANTITY: "文号是多少" asks for a document number, not an amount
    (
        DOCUMENT_NUMBER,
        re.compile(r"\b(document|file|reference) (number|no\.?)\b|文号|文件编号|发文字号", re.I),
    ),
    # "which section covers X?" is answered by a passage's heading, so only numbered provisions
    (ARTICLE, re.compile(r"\b(which|what) (article|clause|paragraph)s?\b", re.I)),
    (
        QUANTITY,
        re.compile(
            r"\bhow (much|many|long|often|large|big|high|far)\b"
            r"|\bwhat (is the )?(percentage|percent|proportion|share|amount|number|sum|budget"
            r"|salary|wage|fee|cost|price|rate|quota|figure|ratio)\b"
            r"|\bwhat (numerical |numeric )?targets?\b.*\b(per|by \d{4}|percent|number)\b"
            r"|\bwhat (is |are |will be )?(the )?(\w+ )?(salary|salaries|budget|cost|costs|price|fine"
            r"|fines|fee|fees)\b"
            r"|[多几]少|多大|多高|多长|多久|几[个年项家位次]|百分之|金额|预算|费用|工资|薪",
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
            r"\bwho (heads|leads|chairs|runs|directs|signed|is the (head|commissioner|director"
            r"|minister|chair|chairman|chairwoman|president|leader|premier|spokesperson))\b"
            r"|\bwho (will|would|shall|is going to|is to) (head|lead|chair|run|direct)\b"
            r"|\bwhat is the name of the (head|commissioner|director|minister|leader)\b|谁是|是谁",
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
        PLACE,
        re.compile(
            r"\b(in )?(which|what) (city|cities|province|provinces|country|countries|town|region)\b"
            r"|\bwhere (will|is|are|was|were|does|do)\b.*\b(located|set up|built|based|held|headquartered)\b"
            r"|哪[个些座]城市|哪[个些]国家|哪[个些]省|哪些地区|在哪里",
            re.I,
        ),
    ),
]

# Numbers that only name a document ("Guofa [2014] No. 6", "(2014-2020)") are not answers.
_CITATION_NUMBER = re.compile(
    r"[\[〔]\s*\d{4}|\d{4}\s*[\]〕]|No\.\s*\d+|\(\d{4}\s*[-–]\s*\d{4}\)|\[\d+\]"
)
# Numbers that count nothing: outline labels ("2. Main actions", "5.1. Rights", "(3) Strengthen
# ..."), references to a section ("Section 4.4.2", "Article 17", "§ 3") and number words inside
# compounds ("two-way transfer", "one-stop service").
_NOT_AN_AMOUNT = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*\.?|\(\d+\)|（\d+）)\s"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)-\w+",
    re.I | re.M,
)
_SECTION_REFERENCE = re.compile(
    r"\b(?:sections?|articles?|clauses?|chapters?|paragraphs?|parts?|annex|appendix|§)\s*"
    r"\d+(?:\.\d+)*(?:\([a-z0-9]+\))*",
    re.I,
)
_QUANTITY_EVIDENCE = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion"
    r"|percent|dozen|half|double|twice)\b|%|yuan|RMB|[一二三四五六七八九十百千万亿]",
    re.I,
)
_DATE_EVIDENCE = re.compile(
    r"\b(19|20)\d{2}\b|\b(January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\s+\d{1,4}\b|\b[Bb]y the end of\b|\bwithin \w+ (years?|months?)\b"
    r"|\d+\s*年"
)
_PERSON_EVIDENCE = re.compile(
    r"\b(Mr|Ms|Mrs|Dr|Minister|Commissioner|Director|Premier|President|Chairman|Vice)\.?\s+[A-Z][a-z]+"
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
_PLACE_WORDS = (
    "Beijing|Shanghai|Guangzhou|Shenzhen|Tianjin|Chongqing|Hangzhou|Wuhan|Nanjing|Xi'an|Chengdu"
    "|Hong Kong|Macau|Taiwan|Hainan|Guangdong|Jiangsu|Zhejiang|Shandong|Fujian|Sichuan|Hubei"
    "|United States|America|Japan|Korea|Germany|France|Britain|United Kingdom|Europe|European"
    "|Russia|India|Brazil|Africa|Asia|Singapore|Australia|Canada|Switzerland|Geneva"
)
_PLACE_EVIDENCE = re.compile(rf"\b({_PLACE_WORDS})\b")

_EVIDENCE = {
    DOCUMENT_NUMBER: _CITATION_NUMBER,
    QUANTITY: _QUANTITY_EVIDENCE,
    DATE: _DATE_EVIDENCE,
    PERSON: _PERSON_EVIDENCE,
    PLACE: _PLACE_EVIDENCE,
    PENALTY: _PENALTY_EVIDENCE,
    ARTICLE: _ARTICLE_EVIDENCE,
}


def expected_type(question: str) -> str | None:
    """The kind of answer a question asks for, or None for open questions (how, what, why).

    Example: expected_type("How many centres will be built?") -> "quantity"
    """
    for name, pattern in _TYPE_PATTERNS:
        if any(_is_question_word(question, m) for m in pattern.finditer(question)):
            return name
    return None


def _is_question_word(question: str, match: re.Match) -> bool:
    """Only the clause's own question word counts: "how many" deep inside a clause
    ("quality rather than just how many there are") does not ask for a number."""
    if re.search(r"[\u3400-\u9fff]", match.group(0)):
        return True  # Chinese puts question words mid-sentence
    clause = re.split(r"[,;:]", question[: match.start()])[-1]
    return len(clause.split()) <= 4


def has_answer_of_type(text: str, answer_type: str, question: str = "") -> bool:
    """Whether text holds something of that type that the question did not already say.

    Example: has_answer_of_type("Build 5 centres.", "quantity") -> True
    """
    if answer_type == DOCUMENT_NUMBER:  # here the document's number is the answer
        return bool(_CITATION_NUMBER.search(text))
    cleaned = _NOT_AN_AMOUNT.sub(" ", _CITATION_NUMBER.sub(" ", text))
    if answer_type != ARTICLE:  # "which article ...?" is answered by the reference itself
        cleaned = _SECTION_REFERENCE.sub(" ", cleaned)
    pattern = _EVIDENCE[answer_type]
    asked = {m.group(0).lower() for m in pattern.finditer(_CITATION_NUMBER.sub(" ", question))}
    return any(m.group(0).lower() not in asked for m in pattern.finditer(cleaned))


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
