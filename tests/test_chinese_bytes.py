"""Chinese text files in a legacy code page (GB18030 / GBK, Big5) are read; bytes that could be
Chinese but are Korean, Japanese or Cyrillic are not taken for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.chinese_bytes import BIG5, GB18030, chinese_text
from qa.ingest.formats import convert, read_text

MINUTES = "知识产权质押融资试点工作将进一步扩大，中小企业可以用专利向银行申请贷款。"
TRADITIONAL = "知識產權質押融資試點工作將進一步擴大，中小企業可以用專利向銀行申請貸款。"


@pytest.mark.parametrize(
    ("text", "code_page"),
    [(MINUTES, GB18030), (TRADITIONAL, BIG5), ("会议纪要\r\n" + MINUTES * 3, GB18030)],
)
def test_chinese_in_gbk_or_big5_reads_in_its_code_page(text, code_page):
    data = text.encode("gbk" if code_page == GB18030 else "big5")
    assert chinese_text(data) == (text, code_page)
    assert read_text(data).text == text and read_text(data).encoding == code_page


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        # Korean in EUC-KR decodes as common Chinese characters, spaced between words
        (
            "지식재산권 전략 실행 계획은 중소기업의 특허 담보 대출을 지원합니다. 정부는 특허 "
            "심사 기간을 단축하고 위조 상품 단속을 강화할 것입니다.",
            "cp949",
        ),
        # Japanese: its kana give it away in either of its code pages
        (
            "知的財産戦略行動計画は、中小企業の特許担保融資を支援する。政府は特許審査期間を短縮する。",
            "euc_jp",
        ),
        (
            "知的財産戦略行動計画は、中小企業の特許担保融資を支援する。政府は特許審査期間を短縮する。",
            "cp932",
        ),
        ("Правительство поддержит малые предприятия кредитами под залог патентов.", "cp1251"),
        ("会议纪要", "gbk"),  # too few characters to tell
    ],
)
def test_bytes_that_only_decode_as_chinese_are_not_taken_for_it(text, codec):
    assert chinese_text(text.encode(codec)) is None


def test_a_chinese_csv_from_excel_reads_its_rows():
    table = "指标,2015年,2020年\r\n每万人口发明专利拥有量,6.3,14.0\r\n专利质押融资金额（亿元）,750,1800\r\n"
    text = convert(Path("indicators.csv"), table.encode("gbk")).text
    assert "指标: 每万人口发明专利拥有量 | 2015年: 6.3 | 2020年: 14" in text


@pytest.mark.usefixtures("restore_app_state")
def test_an_upload_read_as_chinese_in_a_legacy_code_page_says_so(tiny_app):
    from qa.web import handlers

    message = handlers.add_document("minutes.txt", TRADITIONAL.encode("big5"))
    assert message.startswith("Added `minutes.txt`") and message.endswith(
        "It was read as Chinese in GB18030 or Big5, not UTF-8: if characters look wrong in its "
        "passages, save it as UTF-8 and replace it."
    )
