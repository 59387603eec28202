"""The service's event stream drops every ARI event type not in EVENTS_USED unparsed: a module
that starts handling another type must add it there, or it would never see one."""

from __future__ import annotations

import importlib
import pkgutil

import callcenter.flow
import callcenter.service
from ari.parsing import EVENT_MODELS
from callcenter.flow.events_used import EVENTS_USED


def test_every_event_class_the_flow_and_the_service_use_is_parsed() -> None:
    used: dict[str, str] = {}
    for package in (callcenter.flow, callcenter.service):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            if info.name == "callcenter.flow.events_used":
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                for name, model in EVENT_MODELS.items():
                    if value is model:
                        used.setdefault(name, info.name)
    missing = {name: module for name, module in used.items() if name not in EVENTS_USED}
    assert not missing, f"add to callcenter/flow/events_used.py: {missing}"
    assert used.keys() == EVENTS_USED  # nothing listed that no module uses
