"""A mirror put together from this installation's settings and store."""

from __future__ import annotations

from typing import Any

from infra.mirror_store import MirrorStore
from services.mirror.checks import mapped_for
from services.mirror.follow import Mirror, read_token, witness_signer
from services.mirror.source import Source


def open_mirror(store: MirrorStore, settings: Any, mapper: Any, name: str) -> Mirror:
    """Raises KeyError for an unknown name, OSError if its token file is gone."""
    config = store.config(name)
    if config is None:
        raise KeyError(name)
    home = settings.home
    return Mirror(
        store,
        config,
        Source(config.feed, read_token(home, name)),
        witness_signer(home, settings.installation),
        home / "mirrors",
        mapped_for(mapper),
    )
