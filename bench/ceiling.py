"""The ceiling bench/http.py measures against: a bare FastAPI app on the same
uvicorn, answering a fixed JSON list of about 8 KB (no store, no template, no
auth). What the framework alone costs per request on this machine, in the same
minutes as the demo is measured."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

ITEMS: list[dict[str, Any]] = [
    {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "tenant": "xinhe.xinhe-zhen.tuanjie",
        "category": "common.finance",
        "title": f"团结村2026年第{i}期财务收支",
        "published_on": "2026-11-24",
        "on_time": True,
    }
    for i in range(40)
]

app = FastAPI()


@app.get("/list")
def fixed_list() -> dict[str, Any]:
    """The same list every time, through FastAPI's validation and JSON encoding."""
    return {"items": ITEMS, "total": len(ITEMS)}
