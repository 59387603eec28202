"""The callback menu in a waiting call, and what happens when nobody can answer.

Routing's ``OfferCallback`` (a long wait) or the service's own limits (``max_wait``,
``queue_cap``: night, a surge) open the menu: press 1 for a callback, 1 to confirm this number
and that it is safe, then 1/2/3 for a safe time (morning, afternoon, evening; anything else:
any time). The confirmed request goes to the callback book (durable, keeping the caller's place
in line) and the caller hears a confirmation. Any other key or silence puts them back in line,
or, when nobody can answer, on to the fallback queue after the emergency numbers: never
silence, never a busy tone. Withheld numbers are never promised a callback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from callcenter.flow.call import HotlineCall, Phase
from callcenter.flow.callbacks import CallbackRequest
from callcenter.privacy.crypto import is_withheld

if TYPE_CHECKING:
    from callcenter.flow.app import HotlineApp

log = logging.getLogger(__name__)


class CallbackMenu:
    def __init__(self, app: HotlineApp) -> None:
        self.app = app

    def max_wait_reached(self, call: HotlineCall) -> None:
        if call.phase is Phase.WAITING:
            self.no_counsellor(call, "max_wait")

    def no_counsellor(self, call: HotlineCall, reason: str) -> None:
        """Nobody can answer (night, surge): emergency numbers, a callback offer, then the
        fallback queue. Never silence, never a busy tone."""
        self.offer(call, prompt="all-busy-emergency", then_fallback=reason)

    def offer(
        self, call: HotlineCall, prompt: str = "callback-offer", then_fallback: str | None = None
    ) -> None:
        if is_withheld(call.caller_number):  # no number to call back: never promise one
            if then_fallback is not None:
                self.app.play(call, (prompt,))
                self.app.send_to_fallback(call, then_fallback)
            return
        call.phase = Phase.CALLBACK_MENU
        call.callback_digits = []
        self.app.play(call, (prompt,))
        deadline = self.app.driver.now() + self.app.config.callback_digit_timeout
        fallback = then_fallback

        def timeout(c: HotlineCall) -> None:
            if c.phase is not Phase.CALLBACK_MENU:
                return
            if fallback is not None:
                self.app.send_to_fallback(c, fallback)
            else:
                self.resume_waiting(c)

        self.app.set_timer(call, deadline, timeout)

    def on_digit(self, call: HotlineCall, digit: str) -> None:
        call.callback_digits.append(digit)
        step = len(call.callback_digits)
        if step == 1:
            if digit != "1":
                self.resume_waiting(call)
                return
            self.app.play(call, ("callback-confirm-number",))
        elif step == 2:
            if digit != "1":  # not this number / not safe: keep waiting instead
                self.resume_waiting(call)
                return
            self.app.play(call, ("callback-when",))
        else:
            window = {"1": "morning", "2": "afternoon", "3": "evening"}.get(digit, "any")
            self.confirmed(call, window)
            return
        self.app.set_timer(
            call,
            self.app.driver.now() + self.app.config.callback_digit_timeout,
            self.resume_waiting,
        )

    def confirmed(self, call: HotlineCall, window: str) -> None:
        log.info("callback requested on %s (safe: %s)", call.call_id, window)
        answers = call.answers
        assert call.caller_number is not None  # withheld numbers are never offered one
        self.app.callbacks.request(  # records the request (durably, with the number encrypted)
            CallbackRequest(
                call_id=call.call_id,
                number=call.caller_number,
                window=window,
                arrived=call.arrived,
                home_centre=answers.home_centre if answers else None,
                language=answers.language if answers else self.app.config.ivr.default_language,
                danger=bool(answers and answers.danger),
            ),
            in_line=call.in_engine,
        )
        call.in_engine = False  # routing now holds the request, not the live call
        call.phase = Phase.LEAVING
        self.app.cancel_timer(call)
        self.app.play(call, ("callback-confirmed", "goodbye"))

    def resume_waiting(self, call: HotlineCall) -> None:
        if call.phase is not Phase.CALLBACK_MENU:
            return
        if not call.in_engine:
            self.app.send_to_fallback(call, "callback_declined")
            return
        call.phase = Phase.WAITING
        if call.wait_deadline is not None:
            self.app.set_timer(call, call.wait_deadline, self.max_wait_reached)
        self.app.play(call, ("please-hold",))
