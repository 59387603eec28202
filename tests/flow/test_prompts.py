"""The list of prompts to record stays the one the service plays."""

from __future__ import annotations

from pathlib import Path

from callcenter.flow.prompts import PROMPTS

DOC = Path(__file__).parents[2] / "docs" / "prompts.md"


def test_every_prompt_is_in_the_recording_list_with_both_languages() -> None:
    text = DOC.read_text(encoding="utf-8")
    for prompt in PROMPTS.values():
        assert f"`{prompt.name}`" in text
        assert prompt.text_vi in text
        assert prompt.text_en in text


def test_prompts_fall_back_to_standard_sounds_until_recorded() -> None:
    welcome = PROMPTS["welcome"]
    assert welcome.media(custom=True) == ("sound:hotline/welcome",)
    assert all(m.startswith("sound:") for m in welcome.media(custom=False))
    assert all("hotline/" not in m for p in PROMPTS.values() for m in p.media(custom=False))
