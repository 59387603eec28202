"""Long seeded random walks through the same machine as the Hypothesis test.

Hypothesis explores many short sequences and shrinks failures; these walks add long, busy
sequences (more counsellors, more calls in line at once) that short runs rarely reach.
"""

from __future__ import annotations

import random

import pytest

from routing import (
    Gender,
    GenderWish,
    PhoneBusy,
    PhoneFree,
    PhoneRegistered,
    PhoneUnregistered,
    Priority,
    RingCounsellor,
    RingFailure,
    RoutingEngine,
)
from tests.routing.test_stateful import CALLS, CENTRES, COUNSELLORS, POLICIES, RoutingMachine

INVARIANTS = (
    "one_call_per_counsellor",
    "nobody_left_apart",
    "wishes_widen_and_relax_on_time",
    "positions_count_from_one",
)


def walk(seed: int, policy_index: int, steps: int) -> RoutingMachine:
    rnd = random.Random(seed)
    machine = RoutingMachine()
    machine.policy = POLICIES[policy_index]
    machine.engine = RoutingEngine(machine.policy)
    moves = [
        lambda: machine.log_in(
            rnd.choice(COUNSELLORS),
            rnd.choice(CENTRES),
            set(rnd.sample(["vi", "vi", "en", "km"], rnd.randint(1, 2))),
            rnd.choice(list(Gender)),
        ),
        lambda: machine.arrive(
            rnd.choice(CALLS),
            rnd.choice([None, *CENTRES, *CENTRES]),
            rnd.choice(["vi", "vi", "vi", "en", "km"]),
            rnd.choice([GenderWish.NONE, GenderWish.NONE, GenderWish.FEMALE, GenderWish.MALE]),
            rnd.random() < 0.3,
            rnd.choice([Priority.NORMAL, Priority.NORMAL, Priority.URGENT, Priority.DANGER]),
            rnd.random() < 0.1,
        ),
        lambda: machine.answer(rnd.randrange(10)),
        lambda: machine.answer(rnd.randrange(10)),
        lambda: machine.answer(rnd.randrange(10)),
        lambda: machine.end(rnd.randrange(10)),
        lambda: machine.end(rnd.randrange(10)),
        lambda: machine.hang_up(rnd.randrange(10)) if rnd.random() < 0.5 else None,
        lambda: machine.fail_ring(rnd.randrange(10), rnd.choice(list(RingFailure))),
        lambda: machine.log_out(rnd.randrange(10)),
        lambda: machine.pause(rnd.randrange(10), "break"),
        lambda: machine.resume(rnd.randrange(10)),
        lambda: machine.resume(rnd.randrange(10)),
        lambda: machine.end_wrap_up(rnd.randrange(10)),
        lambda: machine.request_callback(rnd.randrange(10)),
        lambda: machine.complete_callback(rnd.randrange(10)),
        lambda: machine.advance(rnd.choice([0.0, 0.1, 0.5, 2.3, 9.0, 15.0, 21.0, 46.0])),
        lambda: machine.wake_at_deadline() if machine.engine.next_deadline() else None,
    ]
    arrive, log_in = moves[1], moves[0]
    moves[:0] = [arrive, arrive, arrive, log_in]
    for _ in range(steps):
        if rnd.random() < 0.1:
            cid = rnd.choice(COUNSELLORS)
            kind = rnd.choice(["reg", "reg", "free", "free", "free", "unreg", "busy"])
            event = {
                "reg": PhoneRegistered,
                "unreg": PhoneUnregistered,
                "busy": PhoneBusy,
                "free": PhoneFree,
            }[kind]
            machine.phone(cid, event)
        else:
            rnd.choice(moves)()
        for name in INVARIANTS:
            getattr(machine, name)()
    machine.teardown()
    return machine


@pytest.mark.parametrize(("seed", "policy_index"), [(1, 0), (2, 1), (3, 2), (4, 0)])
def test_long_random_walk_keeps_every_rule(seed: int, policy_index: int) -> None:
    machine = walk(seed, policy_index, steps=1500)
    rings = sum(1 for _, _, d in machine.history for x in d or [] if isinstance(x, RingCounsellor))
    assert rings > 50  # the walk really routed calls, not just errors
