"""The behavioural model of the simulated Asterisk.

Public surface (for the ARI/AMI servers, actors and tests):

- :class:`Pbx` - state + happening bus (``subscribe``) + operations;
- :mod:`pbxsim.model.happenings` - the frozen records renderers turn into wire events;
- :class:`PhoneBehaviour` - how a counsellor's softphone treats INVITEs;
- :class:`Clock` - simulated time (``Clock(speed=10)`` runs ten times faster);
- :func:`load_config` / :class:`PbxConfig` - what the model reads from an Asterisk config dir;
- :mod:`pbxsim.model.dialing` (originate/create/dial), :mod:`pbxsim.model.control`
  (answer, ring, hangup, continue, redirect, snoop, variables, bridges),
  :mod:`pbxsim.model.media` (play, stop, MOH).
"""

from pbxsim.model.clock import Clock
from pbxsim.model.config import PbxConfig, load_config
from pbxsim.model.errors import BadRequest, Conflict, NotBooted, NotFound, PbxError, Unprocessable
from pbxsim.model.hangup import CAUSE_TXT
from pbxsim.model.objects import Bridge, Channel, Contact, Endpoint, PhoneBehaviour, Playback
from pbxsim.model.pbx import Pbx

__all__ = [
    "CAUSE_TXT",
    "BadRequest",
    "Bridge",
    "Channel",
    "Clock",
    "Conflict",
    "Contact",
    "Endpoint",
    "NotBooted",
    "NotFound",
    "Pbx",
    "PbxConfig",
    "PbxError",
    "PhoneBehaviour",
    "Playback",
    "Unprocessable",
    "load_config",
]
