"""Facts 7-8 of recordings-2: an app object kept alive by leftover explicit subscriptions.

After a client with explicit subscriptions (``endpoint:PJSIP/hn-03``, ``deviceState:...``) went
away, the app object stays. A new client connecting with ``subscribeAll=true`` then keeps the old
explicit model and hears nothing about calls. The recorded cure (``ari-stale-app.jsonl``): delete
the leftover subscriptions, close, and connect again: the next connection gets the global
subscription.
"""

from __future__ import annotations

import logging

from ari.config import AriConfig
from ari.errors import AriError
from ari.resources import Applications

log = logging.getLogger(__name__)


async def remove_stale_subscriptions(
    applications: Applications, config: AriConfig, *, may_repair: bool
) -> bool:
    """Check the app right after connecting with subscribeAll. If it lacks the global
    subscription, delete its explicit ones and return True (the caller reconnects). With
    ``may_repair`` False (just repaired) only log: never loop."""
    try:
        app = await applications.get(config.app, missing_ok=True)
        if app is None or app.subscribed_to_all:
            return False
        sources = app.explicit_event_sources()
        if not may_repair:
            log.error(
                "ARI %s: app %s still has no subscribeAll after removing leftover "
                "subscriptions; events of other channels will not arrive",
                config.node,
                app.name,
            )
            return False
        log.warning(
            "ARI %s: app %s has leftover subscriptions %s and no subscribeAll; "
            "removing them and reconnecting",
            config.node,
            app.name,
            sources,
        )
        if sources:
            await applications.unsubscribe(config.app, sources)
    except AriError as exc:
        log.warning("ARI %s: cannot check app subscriptions: %s", config.node, exc)
        return False
    return True
