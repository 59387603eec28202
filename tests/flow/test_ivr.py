"""The IVR a caller hears: what they press, or do not press, decides language, region and danger."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from callcenter.flow.ivr import IvrConfig, IvrFinished, IvrMachine, PlayPrompts

CONFIG = IvrConfig(digit_timeout=5.0, attempts=2, prefix_table={"+8424": "HN", "+8428": "AG"})


def finished(actions: list[IvrFinished | PlayPrompts]) -> IvrFinished:
    assert len(actions) == 1
    assert isinstance(actions[0], IvrFinished)
    return actions[0]


def test_caller_chooses_language_and_region() -> None:
    ivr = IvrMachine(CONFIG, caller_number="+84901234567")
    assert ivr.start(0.0) == [PlayPrompts(("welcome", "danger", "choose-language"))]
    assert ivr.on_digit("3", 1.0) == [PlayPrompts(("choose-region",))]
    answers = finished(ivr.on_digit("2", 2.0)).answers
    assert (answers.language, answers.home_centre, answers.danger) == ("km", "DN", False)
    assert answers.language_chosen and answers.region_chosen


def test_danger_digit_ends_the_ivr_at_once_at_any_step() -> None:
    ivr = IvrMachine(CONFIG)
    ivr.start(0.0)
    answers = finished(ivr.on_digit("9", 0.5)).answers
    assert answers.danger
    assert answers.language == "vi"
    ivr2 = IvrMachine(CONFIG)
    ivr2.start(0.0)
    ivr2.on_digit("2", 1.0)
    answers2 = finished(ivr2.on_digit("9", 2.0)).answers
    assert answers2.danger and answers2.language == "en"


def test_silence_gives_vietnamese_and_region_from_number_prefix() -> None:
    ivr = IvrMachine(CONFIG, caller_number="+842838001234")
    ivr.start(0.0)
    assert ivr.on_timeout(4.9) == []  # not yet
    assert ivr.on_timeout(5.0) == [PlayPrompts(("danger", "choose-language"))]  # once more
    assert ivr.on_timeout(10.0) == [PlayPrompts(("choose-region",))]
    ivr.on_timeout(15.0)
    answers = finished(ivr.on_timeout(20.0)).answers
    assert (answers.language, answers.home_centre, answers.danger) == ("vi", "AG", False)
    assert not answers.language_chosen and not answers.region_chosen


def test_silence_and_unknown_number_go_to_the_national_pool() -> None:
    ivr = IvrMachine(IvrConfig(attempts=1, digit_timeout=1.0), caller_number=None)
    ivr.start(0.0)
    ivr.on_timeout(1.0)
    answers = finished(ivr.on_timeout(2.0)).answers
    assert answers.home_centre is None


def test_wrong_digit_repeats_the_menu_then_takes_the_default() -> None:
    ivr = IvrMachine(CONFIG)
    ivr.start(0.0)
    assert ivr.on_digit("7", 1.0) == [PlayPrompts(("danger", "choose-language"))]
    assert ivr.on_digit("8", 2.0) == [PlayPrompts(("choose-region",))]
    assert finished(ivr.on_digit("0", 3.0)).answers.home_centre is None
    assert ivr.on_digit("1", 4.0) == []  # finished: later digits change nothing


def test_longest_prefix_wins() -> None:
    config = IvrConfig(prefix_table={"+84": "DN", "+8424": "HN"})
    assert config.region_for_number("+842412345") == "HN"
    assert config.region_for_number("+84512345") == "DN"
    assert config.region_for_number("") is None


def test_danger_digit_cannot_be_a_menu_choice() -> None:
    with pytest.raises(ValidationError, match="reserved"):
        IvrConfig(language_menu={"9": "vi"})
    with pytest.raises(ValidationError, match="one DTMF digit"):
        IvrConfig(region_menu={"12": "HN"})


PROVINCE = IvrConfig(
    digit_timeout=5.0,
    attempts=2,
    province_key="0",
    region_menu={"1": "HN", "2": "DN", "3": "AG"},
    prefix_table={"+8424": "HN"},
)


def keyed(ivr: IvrMachine, *digits: str, start: float = 1.0) -> list[IvrFinished | PlayPrompts]:
    actions: list[IvrFinished | PlayPrompts] = []
    for i, digit in enumerate(digits):
        actions = ivr.on_digit(digit, start + i * 0.5)
    return actions


def test_caller_keys_a_province_code_and_reaches_its_centre() -> None:
    ivr = IvrMachine(PROVINCE)
    ivr.start(0.0)
    assert ivr.on_digit("1", 1.0) == [PlayPrompts(("choose-region", "province-option"))]
    assert ivr.on_digit("0", 2.0) == [PlayPrompts(("enter-province",))]
    answers = finished(keyed(ivr, "7", "9", start=3.0)).answers  # Ho Chi Minh City
    assert (answers.province, answers.home_centre, answers.danger) == ("vn34-79", "AG", False)
    assert answers.region_chosen


def test_an_old_province_code_is_converted_and_the_table_can_override_the_centre() -> None:
    ivr = IvrMachine(PROVINCE)
    ivr.start(0.0)
    answers = finished(keyed(ivr, "1", "0", "0", "2")).answers  # Hà Giang, now Tuyên Quang
    assert (answers.province, answers.home_centre) == ("vn34-08", "HN")
    config = PROVINCE.model_copy(update={"province_centres": {"vn34-48": "HN"}})
    ivr2 = IvrMachine(config)
    ivr2.start(0.0)
    assert finished(keyed(ivr2, "1", "0", "4", "8")).answers.home_centre == "HN"


def test_wrong_province_code_asks_again_then_falls_back_to_the_number_prefix() -> None:
    ivr = IvrMachine(PROVINCE, caller_number="+842412345678")
    ivr.start(0.0)
    keyed(ivr, "1", "0")
    assert keyed(ivr, "0", "3", start=3.0) == [PlayPrompts(("province-unknown",))]
    answers = finished(keyed(ivr, "5", "5", start=5.0)).answers
    assert (answers.province, answers.home_centre, answers.region_chosen) == (None, "HN", False)


def test_silence_in_the_province_step_never_traps_the_caller() -> None:
    ivr = IvrMachine(PROVINCE)
    ivr.start(0.0)
    keyed(ivr, "2", "0")  # English, then "key my province"
    assert ivr.on_digit("4", 3.0) == []  # one digit, then nothing
    assert ivr.on_timeout(8.0) == [PlayPrompts(("enter-province",))]
    answers = finished(ivr.on_timeout(13.0)).answers
    assert (answers.language, answers.home_centre, answers.danger) == ("en", None, False)


def test_danger_digit_still_works_while_keying_a_province_code() -> None:
    alone = IvrMachine(PROVINCE)
    alone.start(0.0)
    keyed(alone, "1", "0", "9")
    assert finished(alone.on_timeout(7.0)).answers.danger
    twice = IvrMachine(PROVINCE)
    twice.start(0.0)
    assert finished(keyed(twice, "1", "0", "9", "9")).answers.danger
    can_tho = IvrMachine(PROVINCE)
    can_tho.start(0.0)
    answers = finished(keyed(can_tho, "1", "0", "9", "2")).answers
    assert (answers.province, answers.danger) == ("vn34-92", False)


def test_province_asked_after_the_region_menu_falls_back_to_the_region_chosen() -> None:
    config = PROVINCE.model_copy(update={"province_key": None, "province_after_region": True})
    ivr = IvrMachine(config, caller_number="+842412345678")  # a Hanoi number
    ivr.start(0.0)
    assert keyed(ivr, "1", "3") == [PlayPrompts(("enter-province",))]  # south, then the code
    assert keyed(ivr, "5", "5", start=3.0) == [PlayPrompts(("province-unknown",))]
    answers = finished(keyed(ivr, "0", "3", start=5.0)).answers  # wrong again: the region
    assert (answers.province, answers.home_centre, answers.region_chosen) == (None, "AG", True)
    silent = IvrMachine(config)
    silent.start(0.0)
    keyed(silent, "1", "2")
    silent.on_timeout(7.0)
    assert finished(silent.on_timeout(12.0)).answers.home_centre == "DN"
    keys = IvrMachine(config)
    keys.start(0.0)
    answers = finished(keyed(keys, "1", "2", "7", "9")).answers  # centre, then Hồ Chí Minh City
    assert (answers.province, answers.home_centre) == ("vn34-79", "AG")


def test_province_key_must_be_free_and_the_table_must_name_real_provinces() -> None:
    with pytest.raises(ValidationError, match="already a region choice"):
        IvrConfig(province_key="1")
    with pytest.raises(ValidationError, match="reserved"):
        IvrConfig(province_key="9")
    with pytest.raises(ValidationError, match="unknown province"):
        IvrConfig(province_key="8", province_centres={"vn34-00": "HN"})
