"""When a callback is tried again, given up, or skipped: the rules, without a PBX."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from callcenter.calls.outcomes import CallbackAttemptOutcome as O
from callcenter.calls.outcomes import CallbackState
from callcenter.flow.callback_policy import (
    WINDOWS,
    CallbackSettings,
    after_attempt,
    expired,
    outbound_outcome,
    seconds_until_open,
    window_open,
)
from callcenter.settings import Settings

SETTINGS = CallbackSettings(max_attempts=3, retry_after=600.0)


def test_an_answered_callback_is_done_at_once() -> None:
    assert after_attempt(O.ANSWERED, 1, SETTINGS).closed is CallbackState.DONE


def test_unanswered_attempts_are_retried_until_the_limit_then_the_request_failed() -> None:
    assert [after_attempt(O.NO_ANSWER, n, SETTINGS).closed for n in (1, 2)] == [None, None]
    assert after_attempt(O.NO_ANSWER, 1, SETTINGS).retry_in == 600.0
    assert after_attempt(O.BUSY, 3, SETTINGS).closed is CallbackState.FAILED


def test_an_attempt_the_service_broke_off_is_retried_at_once() -> None:
    assert after_attempt(O.INTERRUPTED, 1, SETTINGS) == after_attempt(O.INTERRUPTED, 2, SETTINGS)
    assert after_attempt(O.INTERRUPTED, 1, SETTINGS).retry_in == 0.0


def test_hangup_causes_of_the_outbound_leg() -> None:
    assert outbound_outcome(17, None) is O.BUSY
    assert outbound_outcome(16, 486) is O.BUSY
    assert outbound_outcome(19, 480) is O.NO_ANSWER
    assert outbound_outcome(34, 503) is O.FAILED


def test_requests_expire_after_the_configured_age() -> None:
    t0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    settings = CallbackSettings(expire_after=3600.0)
    assert not expired(t0, t0 + timedelta(minutes=59), settings)
    assert expired(t0, t0 + timedelta(minutes=61), settings)


def test_safe_windows_are_viet_nam_hours() -> None:
    eight_vn = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Viet Nam
    assert window_open("morning", eight_vn) and not window_open("evening", eight_vn)
    assert seconds_until_open("evening", eight_vn) == 10 * 3600.0  # opens at 18:00
    assert window_open("any", eight_vn)


def test_the_callback_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLCENTER_CALLBACKS__MAX_ATTEMPTS", "5")
    monkeypatch.setenv("CALLCENTER_CALLBACKS__RETRY_AFTER", "120")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.callbacks.max_attempts, settings.callbacks.retry_after) == (5, 120.0)


def test_safe_windows_are_a_setting_and_bad_hours_are_refused() -> None:
    eight_vn = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 in Viet Nam
    early = {**WINDOWS, "morning": (6, 8)}
    assert not window_open("morning", eight_vn, early)
    assert seconds_until_open("morning", eight_vn, early) == 22 * 3600.0  # 06:00 tomorrow
    assert CallbackSettings(windows=early).windows["morning"] == (6, 8)
    with pytest.raises(ValidationError, match="khung giờ morning"):
        CallbackSettings(windows={**WINDOWS, "morning": (11, 7)})
    with pytest.raises(ValidationError, match="thiếu khung giờ: evening"):
        CallbackSettings(windows={k: v for k, v in WINDOWS.items() if k != "evening"})
