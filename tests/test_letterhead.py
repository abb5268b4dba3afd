"""The letterhead each body's documents print (Decree 30/2020), from the organisation tree."""
from datetime import date

import pytest

from danvan_kit.catalog import letterhead, load_catalog
from danvan_kit.catalog.letterhead import MOTTO, NATIONAL_NAME, PARTY_NAME
from danvan_kit.catalog.organisation import Organisation
from danvan_kit.forms.template_error import TemplateError


@pytest.fixture(scope="module")
def org() -> Organisation:
    return load_catalog().organisation


def test_a_commune_prints_its_own_committee_place_and_symbol(org):
    head = letterhead(org, "XA-TAN-QUAN")
    assert head.parent == ""
    assert head.issuer == ("ỦY BAN NHÂN DÂN", "XÃ TÂN QUAN")
    assert head.dated(date(2026, 2, 5)) == "Tân Quan, ngày 05 tháng 02 năm 2026"
    assert head.number_line("58") == "Số: 58/BC-UBND"
    assert head.signer == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert head.recipients == ("Phòng Nội vụ (để tổng hợp);", "Lưu: VT.")
    assert (head.national, head.motto) == (NATIONAL_NAME, MOTTO)


def test_a_town_is_named_without_its_prefix_in_the_date_line(org):
    assert letterhead(org, "TT-TAN-KHAI").place == "Tân Khai"


def test_a_district_office_prints_under_the_district_committee(org):
    head = letterhead(org, "PTP")
    assert head.parent == "UBND HUYỆN HỚN QUẢN"
    assert head.issuer == ("PHÒNG TƯ PHÁP",)
    assert head.place == "Hớn Quản"
    assert head.number_line("") == "Số:      /BC-PTP"
    assert head.number_line(None, kind="") == "Số:      /PTP"          # a letter (công văn): the body alone
    assert head.signer == ("TRƯỞNG PHÒNG",)


def test_the_hub_is_the_default_and_sends_to_the_province(org):
    head = letterhead(org)
    assert head.issuer == ("PHÒNG NỘI VỤ",)
    assert head.recipients[0] == "Sở Nội vụ tỉnh Bình Phước;"
    assert head.recipients[-1].startswith("Lưu")


def test_a_party_body_carries_the_party_name_and_no_motto(org):
    head = letterhead(org, "BDV-HU")
    assert (head.parent, head.issuer) == ("HUYỆN ỦY HỚN QUẢN", ("BAN DÂN VẬN",))
    assert (head.national, head.motto) == (PARTY_NAME, "")


def test_a_number_typed_with_its_symbol_is_kept_as_typed(org):
    head = letterhead(org, "XA-AN-PHU")
    assert head.number_line("Số: 125/BC-UBND") == "Số: 125/BC-UBND"
    assert head.number_line("125/UBND-VP") == "Số: 125/UBND-VP"


def test_an_unknown_letterhead_key_is_refused_naming_the_unit(tmp_path):
    tree = tmp_path / "org.yaml"
    tree.write_text("id: t\nname: T\nplace: T\nhub: A\nunits:\n"
                    "  - {code: A, name: Phòng A, kind: district_office, letterhead: {signr: [X]}}\n",
                    encoding="utf-8")
    from danvan_kit.catalog import load_organisation
    with pytest.raises(TemplateError) as err:
        load_organisation(tree)
    assert "letterhead" in str(err.value) and "Phòng A" in str(err.value)
