"""What ``gongkai mirror status``, ``/v1/health`` and the metrics say of mirrors."""

from __future__ import annotations

from typing import Any

from infra.mirror_store import MirrorStore
from services.mirror.checks import top_of
from services.mirror.follow import LABELS, STOPPED


def mirror_status(store: MirrorStore, name: str) -> dict[str, Any]:
    """One mirror: source, state (and its Chinese label), verified position, the
    county's log end as its feed last showed it, the lag between them, the size of
    the last verified checkpoint of the county's top log, and forks found."""
    config = store.config(name)
    if config is None:
        raise KeyError(name)
    state = store.state(name)
    _, top = top_of(config.trust_key)
    latest = store.latest_checkpoint(name, top)
    source: dict[str, Any] = {"feed": config.feed}
    if config.kafka:  # its events from Kafka; the feed URL for the audit API
        source["kafka"] = kafka_label(config.kafka)
    return {
        "name": name,
        **source,
        "top": top,
        "state": state.state,
        "label": LABELS.get(state.state, state.state),
        "position": state.position,
        "source_end": state.source_end,
        "lag": max(state.source_end - state.position, 0),
        "verified_size": int(latest["size"]) if latest else 0,
        "events": store.event_count(name),
        "detail": state.detail,
        "updated_at": state.updated_at,
        "forks": [
            {"tenant": f["tenant"], "reason": f["reason"], "found_at": f["found_at"]}
            for f in store.forks(name)
        ],
    }


def kafka_label(stored: str) -> str:
    """``bootstrap (topics)`` of a Kafka mirror, as status and the console show it."""
    from services.mirror.kafka_source import KafkaSettings

    kafka = KafkaSettings.from_json(stored)
    topics = ", ".join(kafka.topics) if kafka.topics else f"{kafka.prefix}.*"
    return f"{kafka.bootstrap}（{topics}）"


def mirrors_report(store: MirrorStore) -> dict[str, dict[str, Any]]:
    return {c.name: mirror_status(store, c.name) for c in store.configs()}


def alerts(report: dict[str, dict[str, Any]]) -> list[str]:
    """A sentence per mirror that stopped (a fork, a refused key, bad data)."""
    return [
        f"镜像 {name} {m['label']}：{m['detail']}"
        for name, m in sorted(report.items())
        if m["state"] in STOPPED
    ]
