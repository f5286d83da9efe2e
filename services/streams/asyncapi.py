"""The streams' AsyncAPI 3.0 document, generated from the same JSON Schemas.

One channel per family's Kafka topic (with a ``{subtree}`` parameter when topics are
routed per subtree, services/streams/topics.py) and one for the HTTP feed's SSE
form, one message per CloudEvent type sent now: its payload is the type's schema
(``GET /v1/schemas/<type>.json``) with its one shared definition moved under
``components.schemas``, as an AsyncAPI document resolves references from its root.
Served at ``GET /v1/asyncapi.json``; docs/asyncapi.json is the default
installation's. tests/e2e/test_asyncapi.py parses it with npm's @asyncapi/parser.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from infra.settings import Settings
from services.streams.cloudevents import (
    CONTENT_TYPE,
    family_of_type,
    schema_url,
)
from services.streams.schemas import UUID_PATTERN, all_types, current_schema
from services.streams.topics import TopicRouting

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING = "0.5.0"
DEFS = "#/$defs/"
COMPONENT_SCHEMAS = "#/components/schemas/"


def _version() -> str:
    try:
        return metadata.version("gongkai")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "0"


def _moved_refs(node: Any) -> Any:
    """The schema with ``#/$defs/X`` references pointing at ``components.schemas``."""
    if isinstance(node, dict):
        return {
            k: (
                COMPONENT_SCHEMAS + v.removeprefix(DEFS)
                if k == "$ref" and isinstance(v, str) and v.startswith(DEFS)
                else _moved_refs(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_moved_refs(v) for v in node]
    return node


def _payload(ce_type: str, shared: dict[str, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(current_schema(ce_type))
    schema.pop("$schema", None)
    for name, definition in schema.pop("$defs", {}).items():
        if shared.setdefault(name, definition) != definition:
            msg = f"two definitions named {name} ({ce_type})"
            raise ValueError(msg)
    moved: dict[str, Any] = _moved_refs(schema)
    return moved


def _message(ce_type: str, base: str, shared: dict[str, Any]) -> dict[str, Any]:
    name = ce_type.split(".")[-2]
    return {
        "name": name,
        "title": ce_type,
        "summary": f"{name}, version {ce_type.rsplit('.v', 1)[1]}",
        "contentType": CONTENT_TYPE,
        "headers": {
            "type": "object",
            "properties": {
                "content-type": {"const": CONTENT_TYPE},
                "gongkai-tenant": {"type": "string", "description": "the subject"},
                "gongkai-type": {"const": ce_type},
            },
        },
        "payload": _payload(ce_type, shared),
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "pattern": f"^{UUID_PATTERN}$",
                    "description": "partitionkey: the aggregate (checkpoint series)",
                },
                "bindingVersion": KAFKA_BINDING,
            }
        },
        "externalDocs": {
            "description": "its JSON Schema (2020-12), the CloudEvent's dataschema",
            "url": schema_url(base, ce_type),
        },
    }


def _kafka_channel(
    family: str, types: list[str], routing: TopicRouting, partitions: int, replicas: int
) -> dict[str, Any]:
    stem = routing.family_topic(family)
    channel: dict[str, Any] = {
        "address": f"{stem}.{{subtree}}" if routing.depth else stem,
        "title": f"{family} events",
        "servers": [{"$ref": "#/servers/kafka"}],
        "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in types},
        "bindings": {
            "kafka": {
                "partitions": partitions,
                "replicas": replicas,
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }
    if routing.depth:
        channel["parameters"] = {
            "subtree": {
                "description": f"the first {routing.depth} code(s) of the tenant"
                " path (a shorter path: the whole path)",
                "examples": ["xinhe", "xinhe.tahe"][: routing.depth],
            }
        }
    return channel


def _operation(channel: str, types: list[str], summary: str) -> dict[str, Any]:
    return {
        "action": "receive",
        "summary": summary,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{t}"} for t in types],
    }


def asyncapi_document(settings: Settings) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of this installation's streams."""
    return json.loads(asyncapi_json(settings))  # type: ignore[no-any-return]


def asyncapi_json(settings: Settings) -> str:
    """The same as JSON text, made once per settings (the route answers it)."""
    return _document(_key(settings))


def default_settings() -> Settings:
    """The settings docs/asyncapi.json is written for: every default, whatever the
    environment says."""
    return Settings(
        public_url="",
        kafka_topic_prefix="gongkai",
        kafka_topic_depth=0,
        kafka_topic_partitions=6,
        kafka_topic_replication=1,
    )


def _key(settings: Settings) -> tuple[str, int, int, int, str]:
    return (
        settings.kafka_topic_prefix,
        settings.kafka_topic_depth,
        settings.kafka_topic_partitions,
        settings.kafka_topic_replication,
        settings.public_base_url,
    )


@cache
def _document(key: tuple[str, int, int, int, str]) -> str:
    prefix, depth, partitions, replication, base = key
    routing = TopicRouting(prefix, depth)
    shared: dict[str, Any] = {}
    types = all_types()
    messages = {t: _message(t, base, shared) for t in types}
    by_family: dict[str, list[str]] = {}
    for t in types:
        by_family.setdefault(family_of_type(t), []).append(t)
    channels = {
        family: _kafka_channel(family, members, routing, partitions, replication)
        for family, members in sorted(by_family.items())
    }
    channels["feed"] = {
        "address": "/v1/feed/live",
        "title": "The HTTP feed as Server-Sent Events",
        "description": "One CloudEvent per frame, in log order, with the signed"
        " checkpoints; GET /v1/feed pages the same events (docs/consumer.md).",
        "servers": [{"$ref": "#/servers/feed"}],
        "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in types},
    }
    operations = {
        f"receive-{family}": _operation(family, members, f"Consume {family} events")
        for family, members in sorted(by_family.items())
    }
    operations["receive-feed"] = _operation(
        "feed", types, "Follow the feed (bearer token of the role integrator)"
    )
    url = urlsplit(base)
    document = {
        "asyncapi": ASYNCAPI_VERSION,
        "id": f"urn:gongkai:streams:{url.netloc}",
        "info": {
            "title": "Gongkai streams",
            "version": _version(),
            "description": (
                "Everything a tenant records, as structured CloudEvents 1.0 over Kafka"
                " (`gongkai relay`) and HTTP. Within a type's version (`.vN`) a schema"
                " only gains optional fields; earlier versions, no longer sent, stay"
                " served at `GET /v1/schemas/<type>.json` (docs/consumer.md)."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "kafka": {
                "host": "{bootstrap}",
                "protocol": "kafka",
                "description": "the installation's broker",
                "variables": {
                    "bootstrap": {
                        "default": "kafka:9092",
                        "description": "host:port, from the installation",
                    }
                },
            },
            "feed": {
                "host": url.netloc,
                "protocol": url.scheme,
                "pathname": url.path or "/",
                "description": "the installation's API",
                "security": [{"$ref": "#/components/securitySchemes/bearer"}],
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": shared,
            "messages": messages,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
    return json.dumps(document, ensure_ascii=False)
