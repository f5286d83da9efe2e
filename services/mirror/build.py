"""A mirror put together from this installation's settings and store."""

from __future__ import annotations

from typing import Any

from infra.mirror_store import MirrorConfig, MirrorStore
from services.mirror.checks import mapped_for, top_of
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
        source_of(config, read_token(home, name), settings),
        witness_signer(home, settings.installation),
        home / "mirrors",
        mapped_for(mapper),
    )


def source_of(config: MirrorConfig, token: str, settings: Any) -> Source:
    """The county's API; its events from Kafka when the mirror was added with
    ``--kafka`` (services/mirror/kafka_source.py), from its feed otherwise."""
    if not config.kafka:
        return Source(config.feed, token)
    from services.mirror.kafka_source import KafkaSettings, KafkaSource

    _, top = top_of(config.trust_key)
    kafka = KafkaSettings.from_json(config.kafka)
    return KafkaSource(config.feed, token, kafka, top, settings)
