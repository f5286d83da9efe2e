"""Kafka topic names: one topic per family, or one per family and subtree.

By default every tenant's events of a family share ``gongkai.<family>.v1``, and a
broker's ACLs (which name topics) cannot give a county's or a township's integrator
its own subtree. ``GONGKAI_KAFKA_TOPIC_DEPTH`` n > 0 routes each event to
``<prefix>.<family>.v1.<the first n codes of its tenant path>``: at depth 1 one topic
per family and county (``gongkai.case.v1.xinhe``), at depth 2 per township
(``gongkai.case.v1.xinhe.tahe``; the county's own events stay on
``gongkai.case.v1.xinhe``). ``GONGKAI_KAFKA_TOPIC_PREFIX`` replaces ``gongkai``
(two installations on one cluster). The ACLs such a layout needs: docs/consumer.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.tenancy import is_within
from infra.settings import Settings

TOPIC_VERSION = "v1"


@dataclass(frozen=True)
class TopicRouting:
    """Where an event of a family and tenant goes, and which topics hold a subtree."""

    prefix: str = "gongkai"
    depth: int = 0

    @classmethod
    def of(cls, settings: Settings) -> TopicRouting:
        return cls(settings.kafka_topic_prefix, settings.kafka_topic_depth)

    def family_topic(self, family: str) -> str:
        """The family's topic, or the stem of its subtree topics."""
        return f"{self.prefix}.{family}.{TOPIC_VERSION}"

    def route(self, tenant: str) -> str:
        """The subtree a tenant's events go to ('' when topics are per family)."""
        return ".".join(tenant.split(".")[: self.depth]) if self.depth else ""

    def topic(self, family: str, tenant: str) -> str:
        route = self.route(tenant)
        stem = self.family_topic(family)
        return f"{stem}.{route}" if route else stem

    def parse(self, topic: str) -> tuple[str, str] | None:
        """(family, route) of one of these topics; None for any other topic."""
        head, dot, rest = topic.partition(f"{self.prefix}.")
        if head or not dot:
            return None
        family, _, tail = rest.partition(f".{TOPIC_VERSION}")
        if not family or "." in family or (tail and not tail.startswith(".")):
            return None
        route = tail.removeprefix(".")
        if bool(route) != bool(self.depth) or route.count(".") >= max(self.depth, 1):
            return None
        return family, route

    def holding(
        self, topics: Iterable[str], families: Iterable[str], subtree: str | None
    ) -> list[str]:
        """Of ``topics`` (a broker's), those that hold events of ``families`` of
        ``subtree`` (None: every tenant): its route's topic, its ancestors' (a
        subtree deeper than the routing), its descendants' (a shallower one)."""
        wanted = set(families)
        found = []
        for topic in topics:
            parsed = self.parse(topic)
            if parsed is None or parsed[0] not in wanted:
                continue
            route = parsed[1]
            if (
                subtree is None
                or not route
                or is_within(route, subtree)
                or is_within(subtree, route)
            ):
                found.append(topic)
        return sorted(found)
