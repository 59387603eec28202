"""The book of callback requests with the real routing engine (no PBX): a request waits for
its safe window, keeps its place in line, is recorded with the number only until journaled,
expires, and a reload never revives one this process has closed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from callcenter.calls import facts
from callcenter.calls.outcomes import CallbackAttemptOutcome, CallbackState
from callcenter.flow.callback_book import CallbackBook, CallbackRequest
from callcenter.flow.callback_policy import CallbackSettings
from callcenter.flow.driver import RoutingDriver
from routing.engine import RoutingEngine
from routing.policy import Policy

EIGHT_VN = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Viet Nam


class Clocks:
    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = EIGHT_VN

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += timedelta(seconds=seconds)


def _book(clocks: Clocks, recorded: list[facts.Fact], **settings: float) -> CallbackBook:
    driver = RoutingDriver(RoutingEngine(Policy(centres=("HN",))), lambda: clocks.mono)
    return CallbackBook(
        driver=driver,
        wall_clock=lambda: clocks.wall,
        record=recorded.append,
        settings=CallbackSettings(**settings),
    )


def _request(n: int, window: str, arrived: float) -> CallbackRequest:
    return CallbackRequest(
        call_id=f"pbx/{n}", number="0912345678", window=window, arrived=arrived,
        home_centre="HN", language="vi", danger=False,
    )  # fmt: skip


def _waiting(book: CallbackBook) -> list[str]:
    return [v.call_id for v in book.driver.engine.waiting_calls(book.driver.now())]


async def test_a_request_waits_for_its_window_and_then_keeps_its_original_place() -> None:
    clocks, recorded = Clocks(), []
    book = _book(clocks, recorded)
    book.request(_request(1, "evening", arrived=clocks.mono - 300), in_line=False)
    book.request(_request(2, "any", arrived=clocks.mono - 60), in_line=False)
    await asyncio.sleep(0.01)
    assert _waiting(book) == ["pbx/2"], "the evening request is not in line in the morning"
    (first, _) = [f for f in recorded if isinstance(f, facts.CallbackRequested)]
    assert first.caller_number == "0912345678" and first.safe_window == "evening"
    assert first.arrived_at == EIGHT_VN - timedelta(seconds=300)
    clocks.advance(10 * 3600)  # 18:00
    book.enter_line_soon("pbx/1")
    await asyncio.sleep(0.01)
    assert _waiting(book) == ["pbx/1", "pbx/2"], "it arrived first: it goes first"
    book.driver.close()


async def test_an_old_request_expires_instead_of_being_called() -> None:
    clocks, recorded = Clocks(), []
    book = _book(clocks, recorded, expire_after=3600.0)
    request = _request(1, "any", arrived=clocks.mono)
    assert book.restore(request)
    request.requested_wall = EIGHT_VN
    clocks.advance(3601)
    book.enter_line_soon("pbx/1")
    await asyncio.sleep(0.01)
    assert _waiting(book) == [] and not book.owns("pbx/1") and book.expired == 1
    assert [(f.kind, f.state) for f in recorded if isinstance(f, facts.CallbackClosed)] == [
        ("callback_closed", CallbackState.EXPIRED)
    ]
    book.driver.close()


async def test_a_reload_never_revives_a_request_this_process_closed() -> None:
    clocks, recorded = Clocks(), []
    book = _book(clocks, recorded, max_attempts=1)
    request = _request(1, "any", arrived=clocks.mono)
    book.request(request, in_line=False)
    request.attempts = 1
    book.attempt_over(request, CallbackAttemptOutcome.NO_ANSWER)
    assert book.failed == 1 and not book.owns("pbx/1")
    assert not book.restore(_request(1, "any", arrived=clocks.mono)), "read before the close"
    assert book.restore(_request(2, "any", arrived=clocks.mono))
    assert not book.restore(_request(2, "any", arrived=clocks.mono)), "never twice"
    book.driver.close()
