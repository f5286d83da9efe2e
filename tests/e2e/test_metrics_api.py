"""``GET /metrics`` and the request's id and access record (docs/operations.md,
"Metrics" and "Logs"), in process: the CLI's real server is in test_cli.py and,
under ``--workers``, in test_serve_workers.py."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from infra.settings import Settings
from tests.e2e.conftest import FINANCE, TokenFactory

Samples = dict[str, list[tuple[dict[str, str], float]]]


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return sum(v for have, v in samples.get(name, []) if labels.items() <= have.items())


def test_metrics_count_requests_by_route_template_and_show_the_views(
    client: TestClient, auth: TokenFactory, tree: None, settings: Settings
) -> None:
    clerk = auth("xinhe.tahe.tuanjie", "clerk")
    route = "/v1/tenants/{path}/disclosures"
    before = scrape(client)
    for n in range(3):
        made = client.post(
            "/v1/tenants/xinhe.tahe.tuanjie/disclosures",
            json={**FINANCE, "title": f"团结村财务收支{n}"},
            headers=clerk,
        )
        assert made.status_code == 201, made.text
    assert client.get("/v1/tenants/wensu/disclosures", headers=clerk).status_code == 404
    assert client.get("/no/such/page").status_code == 404
    after = scrape(client)

    def moved(**labels: str) -> float:
        name = "gongkai_http_requests_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved(method="POST", route=route, status="201") == 3
    assert moved(method="GET", route=route, status="404") == 1
    assert moved(route="other", status="404") == 1
    routes = {labels["route"] for labels, _ in after["gongkai_http_requests_total"]}
    assert not [r for r in routes if "xinhe" in r or "wensu" in r], routes
    count = "gongkai_http_request_duration_seconds_count"
    assert value(after, count, method="POST", route=route) - value(
        before, count, method="POST", route=route
    ) == pytest.approx(3)
    # Read from the store at scrape time: the views have caught up with the log.
    assert value(after, "gongkai_store_up") == 1
    position = value(after, "gongkai_log_position")
    assert position >= 10
    assert value(after, "gongkai_view_lag", view="disclosures") == 0
    assert value(after, "gongkai_view_position", view="disclosures") > 0
    assert "gongkai_relay_lag" not in after  # no relay configured or run
    if settings.store_kind == "postgresql":  # SQLite has no pool
        assert value(after, "gongkai_pg_pool_connections") > 0
        assert value(after, "gongkai_pg_pool_checkouts_total") > 0


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_each_answer_carries_its_request_id_and_one_access_record(
    client: TestClient, auth: TokenFactory, tree: None, caplog: pytest.LogCaptureFixture
) -> None:
    clerk = auth("xinhe.tahe", "clerk")
    with caplog.at_level(logging.INFO, logger="gongkai.access"):
        given = client.get(
            "/v1/tenants/xinhe.tahe", headers={**clerk, "X-Request-ID": "trace-42"}
        )
        made = client.get("/v1/tenants/xinhe.tahe", headers={"X-Request-ID": "a b"})
    assert given.headers["x-request-id"] == "trace-42"
    assert made.status_code == 401
    generated = made.headers["x-request-id"]
    assert len(generated) == 32
    assert generated != "a b"
    records = {
        getattr(r, "request_id", None): access_fields(r)
        for r in caplog.records
        if r.name == "gongkai.access"
    }
    first, second = records["trace-42"], records[generated]
    assert first["route"] == "/v1/tenants/{path}"
    assert (first["method"], first["status"]) == ("GET", 200)
    assert (first["tenant"], first["principal"]) == ("xinhe.tahe", "clerk@xinhe.tahe")
    assert first["duration_ms"] > 0
    assert (second["status"], second["principal"]) == (401, None)


def access_fields(record: logging.LogRecord) -> dict[str, Any]:
    names = ("method", "route", "status", "duration_ms", "tenant", "principal")
    return {name: getattr(record, name, None) for name in names}
