"""X-03 在新乡市行政区域内依法注册: a firm is registered in Xinxiang by its credit code's
division (4107xx) or, since that names the registering authority, by its recorded registered
address (a firm the Henan provincial bureau registered, 4100xx, with an address in 新乡)."""

from __future__ import annotations

from xinxiang_world import build

from riskshare.testing import english_in_chinese


def _x03(loan: dict) -> dict:
    return next(e for e in loan["coverage"] if e["rule"] == "X-03")


def test_X03_a_firm_the_provincial_bureau_registered_with_an_address_in_Xinxiang_is_covered(api):
    world = build(api)
    world.firm("provincial", division="410000", registered_address="新乡市红旗区人民路 8 号")
    world.firm("zhengzhou", division="410000", registered_address="郑州市金水区花园路 3 号")
    world.firm("unaddressed", division="410000")
    covered = world.loan("provincial", "L-p", "500000.00")
    elsewhere = world.loan("zhengzhou", "L-z", "500000.00")
    unknown = world.loan("unaddressed", "L-u", "500000.00")
    assert [x["covered"] for x in (covered, elsewhere, unknown)] == [True, False, False]

    by_address = _x03(covered)
    assert by_address["passed"] is True
    assert by_address["inputs"]["registration_basis"] == "registered_address"
    assert by_address["inputs"]["division"] == "410000"
    assert "by its registered address '新乡市红旗区人民路 8 号'" in by_address["en"]
    assert "注册地址“新乡市红旗区人民路 8 号”在新乡市" in by_address["zh"]

    assert "is not in Xinxiang" in _x03(elsewhere)["en"]
    assert "no registered address is recorded" in _x03(unknown)["en"]
    assert english_in_chinese([covered, elsewhere, unknown]) == []


def test_X03_the_division_code_alone_when_no_address_markers_are_configured(api):
    world = build(api, config={"registered_address_markers": []})
    world.firm("provincial", division="410000", registered_address="新乡市红旗区人民路 8 号")
    loan = world.loan("provincial", "L-p", "500000.00")
    assert loan["covered"] is False and _x03(loan)["inputs"]["registration_basis"] is None
    in_city = world.loan("small-a", "L-a", "500000.00")
    assert _x03(in_city)["inputs"]["registration_basis"] == "division_code"
