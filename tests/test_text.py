"""Vietnamese text, numbers and dates as staff write and read them."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from danvan_kit.forms.numbers import format_number, parse_decimal, parse_integer
from danvan_kit.forms.text import (
    clean_text,
    format_date,
    parse_date,
    text_problem,
    to_nfc_deep,
    unstorable_in,
    vn_sort_key,
)


def test_names_sort_in_vietnamese_alphabetical_order():
    names = ["Xã Tân Quan", "Xã Đồng Nơ", "Xã An Phú", "Xã Ân Thi", "Xã Ăn Uống", "Xã Dương Minh", "Xã Ô Môn",
             "Xã Ơn Trời", "Xã Oai"]
    assert sorted(names, key=vn_sort_key) == [
        "Xã An Phú", "Xã Ăn Uống", "Xã Ân Thi", "Xã Dương Minh", "Xã Đồng Nơ", "Xã Oai", "Xã Ô Môn", "Xã Ơn Trời",
        "Xã Tân Quan"]


def test_tones_order_after_letters():
    assert sorted(["mạ", "má", "mã", "mả", "mà", "ma"], key=vn_sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_sorting_does_not_depend_on_nfc_or_nfd():
    nfd = unicodedata.normalize("NFD", "Xã Đồng Nơ")
    assert vn_sort_key(nfd)[:2] == vn_sort_key("Xã Đồng Nơ")[:2]


def test_text_pasted_from_a_pdf_is_repaired():
    pasted = unicodedata.normalize("NFD", "Tuyên\u00a0truyền ﬁnal\u00adly\u200b   về   dân vận")
    assert clean_text(pasted) == "Tuyên truyền finally về dân vận"


def test_plain_direction_marks_from_web_pages_are_removed_silently():
    assert clean_text("Xã\u200e An\u200f Phú\u061c") == "Xã An Phú"
    assert text_problem(clean_text("Xã\u200e An Phú"), 100) is None


def test_a_lone_surrogate_is_found_anywhere_in_nested_data_with_its_path():
    data = {"ten": "Xã An Phú", "hoat_dong": [{"ngay": "2026-04-02"}, {"noi_dung": "Hội\ud800 nghị"}]}
    where, why = unstorable_in(data)
    assert where == "hoat_dong[2].noi_dung" and why.startswith("có ký tự hỏng (U+D800")
    assert unstorable_in({"k\udc00": 1})[0] == "k?"
    assert unstorable_in({"ten": "Xã An Phú", "so": [1, 2.5, None, True]}) is None


def test_long_text_keeps_its_lines_but_not_trailing_spaces():
    assert clean_text("Dòng 1   \r\nDòng 2\r\n\r\n", multiline=True) == "Dòng 1\nDòng 2"


@pytest.mark.parametrize("value,words", [("a\x00b", "ký tự điều khiển"), ("ok 👍", "emoji"),
                                         ("x" * 11, "vượt giới hạn 10"),
                                         ("abc\u202edef", "điều khiển hướng chữ (U+202E)"),
                                         ("\u202ax", "(U+202A)"), ("\u2066x\u2069", "(U+2066)"),
                                         ("nửa\ud83d", "ký tự hỏng (U+D83D"), ("\udfff", "(U+DFFF")])
def test_unprintable_text_is_explained(value, words):
    assert words in text_problem(value, 10)


def test_nested_template_data_is_normalised_to_nfc():
    data = to_nfc_deep({"a": [unicodedata.normalize("NFD", "Phòng Nội vụ")]})
    assert unicodedata.is_normalized("NFC", data["a"][0])


def test_dates_read_and_print_as_dd_mm_yyyy():
    assert parse_date("05/05/2026") == date(2026, 5, 5)
    assert parse_date("5-5-2026") == date(2026, 5, 5)
    assert parse_date("2026-05-05") == date(2026, 5, 5)
    assert format_date("2026-11-10") == "10/11/2026"
    with pytest.raises(ValueError):
        parse_date("05/13/2026")


@pytest.mark.parametrize("text,value", [("1.234", 1234), ("1 234", 1234), ("12", 12), ("1.234.567", 1234567),
                                        ("-3", -3)])
def test_integers_accept_vietnamese_grouping(text, value):
    assert parse_integer(text) == value


@pytest.mark.parametrize("text", ["1,5", "12a", "", "1.23", "١٢"])
def test_integers_refuse_what_is_not_a_whole_number(text):
    with pytest.raises(ValueError):
        parse_integer(text)


@pytest.mark.parametrize("text,value", [("4,5", 4.5), ("4.5", 4.5), ("9.75", 9.75), ("1.234,5", 1234.5),
                                        ("3.200", 3200.0), ("3,200", 3.2), ("1 234,5", 1234.5), ("10", 10.0)])
def test_decimals_read_a_comma_as_the_decimal_mark_and_a_dot_before_three_digits_as_thousands(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text,value", [("3.200", 3200), ("3 200", 3200), ("3,0", 3)])
def test_integers_read_typing_by_the_same_rule_as_decimals(text, value):
    assert parse_integer(text) == value


@pytest.mark.parametrize("text", ["3,200", "1,5", "1.23"])
def test_an_integer_field_refuses_what_the_rule_reads_as_a_fraction(text):
    with pytest.raises(ValueError):
        parse_integer(text)


@pytest.mark.parametrize("text", ["nan", "inf", "1e400", "4,5,6.7.8x", "--1", "1,234.5", "1.234.5,6,7"])
def test_decimals_refuse_non_numbers(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_numbers_print_the_vietnamese_way():
    assert format_number(1234567) == "1.234.567"
    assert format_number(87.5) == "87,5"
    assert format_number(2090.25) == "2.090,25"
    assert format_number(None) == ""
