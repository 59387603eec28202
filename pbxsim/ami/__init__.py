"""AMI (Asterisk Manager Interface) server of the PBX simulator.

Use :func:`start_ami` to serve AMI for a running :class:`pbxsim.model.pbx.Pbx`::

    server = await start_ami(pbx, host="127.0.0.1", port=5038, config_dir=Path("asterisk-conf"))
    ...
    await server.stop()
"""

from __future__ import annotations

from pathlib import Path

from pbxsim.ami.pbx_backend import PbxBackend
from pbxsim.ami.server import AmiServer, AmiSession, AmiUser
from pbxsim.conf import load_config
from pbxsim.conf.objects import ManagerConf
from pbxsim.model.pbx import Pbx

__all__ = [
    "AmiServer",
    "AmiSession",
    "AmiUser",
    "PbxBackend",
    "start_ami",
    "users_from_manager_conf",
]


def users_from_manager_conf(conf: ManagerConf) -> dict[str, AmiUser]:
    """manager.conf users with their secrets and read / write classes."""
    return {
        u.name: AmiUser(u.secret, frozenset(u.read), frozenset(u.write))
        for u in conf.users.values()
    }


async def start_ami(
    pbx: Pbx,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config_dir: Path | None = None,
    auth_failure_delay: float = 1.0,
) -> AmiServer:
    """Start serving AMI for ``pbx``. Users and their read classes come from manager.conf
    in ``config_dir`` (if given; a bad file raises ConfError), otherwise from the model's
    configuration with every class readable. ``port=0`` picks a free port (``server.port``)."""
    users: dict[str, AmiUser] = {}
    if config_dir is not None:
        users = users_from_manager_conf(load_config(config_dir).manager)
    if not users:
        users = {name: AmiUser(secret) for name, secret in pbx.config.ami_users.items()}
    server = AmiServer(PbxBackend(pbx), users, auth_failure_delay=auth_failure_delay)
    await server.start(host, port)
    return server
