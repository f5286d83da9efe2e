"""The AsyncAPI 3.0 document of the streams, parsed by npm's @asyncapi/parser.

The parser (node) is installed once by .ci/asyncapi into ``<venv>/node`` (``make
test`` does it; so does this module when it is missing); reading it needs no network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infra.settings import Settings
from services.streams.asyncapi import asyncapi_document, default_settings
from services.streams.schemas import all_types

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("asyncapi_parse.cjs")
PARSER = Path(os.environ.get("GONGKAI_NODE_DIR", Path(sys.prefix) / "node"))


def parser_dir() -> Path:
    if not (PARSER / "node_modules" / "@asyncapi" / "parser").is_dir():
        subprocess.run(
            ["bash", str(ROOT / ".ci" / "asyncapi"), str(PARSER)], check=True
        )
    return PARSER


def parse(tmp: Path, *documents: dict[str, Any]) -> list[dict[str, Any]]:
    """Each document as the AsyncAPI parser reads it (one node process)."""
    files = []
    for i, document in enumerate(documents):
        path = tmp / f"asyncapi-{i}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        files.append(str(path))
    done = subprocess.run(
        ["node", str(SCRIPT), str(parser_dir()), *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_served_document_parses_and_has_every_type_sent_now(
    client: TestClient, tmp_path: Path
) -> None:
    answer = client.get("/v1/asyncapi.json")
    assert answer.status_code == 200
    served = answer.json()
    subtrees = asyncapi_document(
        Settings(public_url="https://gongkai.xinhe.gov.cn/", kafka_topic_depth=2)
    )
    flat, deep = parse(tmp_path, served, subtrees)
    for result in (flat, deep):
        assert result["errors"] == []
        assert result["warnings"] == []
        assert result["version"] == "3.0.0"
        assert sorted(set(result["messages"])) == all_types()
        assert set(result["payloadTypes"]) == {"object"}
    assert "gongkai.case.v1" in flat["channels"]
    assert "/v1/feed/live" in flat["channels"]
    assert "gongkai.case.v1.{subtree}" in deep["channels"]
    assert "CaseResolved.v1" not in " ".join(flat["messages"])  # retired: not sent
    assert subtrees["servers"]["feed"]["host"] == "gongkai.xinhe.gov.cn"
    assert subtrees["servers"]["feed"]["protocol"] == "https"
    message = served["components"]["messages"]["cn.gongkai.case.CaseFiled.v2"]
    assert message["externalDocs"]["url"].endswith(
        "/v1/schemas/cn.gongkai.case.CaseFiled.v2.json"
    )
    # docs/asyncapi.json is the default installation's (docs/gen_asyncapi.py),
    # which this test's is.
    committed = json.loads((ROOT / "docs" / "asyncapi.json").read_text("utf-8"))
    assert committed == served == asyncapi_document(default_settings()), (
        "regenerate: .venv/bin/python docs/gen_asyncapi.py > docs/asyncapi.json"
    )
