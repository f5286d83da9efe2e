"""The table of bench/province.py: per path, its figure at each N and the growth
factor per 10x of N (1.0: the path costs the same at any size; 10: linear in N)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

# (label, how to read the figure from one run, format, aim at the largest N)
Figure = tuple[str, Any, str, str]


def _read(name: str, key: str) -> Any:
    return lambda run: run["reads"].get(name, {}).get(key)


FIGURES: list[Figure] = [
    ("generation, events/s", lambda r: r["generation"]["events_per_s"], ",.0f", ""),
    ("rebuild, wall s", lambda r: r["rebuild"]["rebuild_s"], ",.1f", "< 2 h at 10^7"),
    (
        "rebuild, events/s",
        lambda r: r["rebuild"]["events_per_s"],
        ",.0f",
        ">= 10,000 leaves/s",
    ),
    (
        "rebuild, peak RSS MB (largest process)",
        lambda r: r["rebuild"]["peak_rss_mb"],
        ",.0f",
        "< 2048",
    ),
    (
        "rebuild, peak RSS MB (bound on all processes)",
        lambda r: r["rebuild"].get("peak_rss_sum_bound_mb"),
        ",.0f",
        "< 2048",
    ),
    (
        "rebuild, Python CPU s (all processes)",
        lambda r: r["rebuild"].get("python_cpu_s"),
        ",.1f",
        "",
    ),
    ("database bytes/event", lambda r: r["size"]["bytes_per_event"], ",.0f", ""),
    (
        "events table bytes/event",
        lambda r: r["size"]["log_bytes_per_event"],
        ",.0f",
        "",
    ),
]
READS = [
    ("village public board", "p99 <= 2x 10^5, < 100 ms"),
    ("county overview", "p99 <= 2x 10^5, < 100 ms"),
    ("province overview (all counties)", "< 500 ms at 10^7"),
    ("county list, include_descendants", "p99 <= 2x 10^5, < 100 ms"),
    ("village catalogue at past as_of", "p99 <= 2x 10^5, < 100 ms"),
    ("county case board", ""),
    ("case history (timeline)", ""),
    ("county annual report", ""),
    ("county annual summary", ""),
]
for _name, _aim in READS:
    FIGURES.append((f"{_name}, p50 ms", _read(_name, "p50_ms"), ",.1f", ""))
    FIGURES.append((f"{_name}, p99 ms", _read(_name, "p99_ms"), ",.1f", _aim))


def growth(values: list[tuple[int, float]]) -> str:
    """Per 10x of N between the smallest and the largest N measured."""
    known = [(n, v) for n, v in values if v]
    if len(known) < 2:
        return "n/a"
    (n0, v0), (n1, v1) = known[0], known[-1]
    decades = math.log10(n1 / n0)
    return f"{(v1 / v0) ** (1 / decades):.2f}x" if decades else "n/a"


def table(summary: dict[str, Any]) -> str:
    runs = {int(n): run for n, run in summary["runs"].items()}
    sizes = sorted(runs)
    head = "| path | " + " | ".join(f"N = {n:,}" for n in sizes)
    lines = [
        head + " | per 10x N | aim |",
        "|---|" + "---:|" * len(sizes) + "---:|---|",
    ]
    for label, get, fmt, aim in FIGURES:
        values = [(n, get(runs[n])) for n in sizes]
        shown = ["n/a" if v is None else format(v, fmt) for _, v in values]
        lines.append(
            f"| {label} | " + " | ".join(shown) + f" | {growth(values)} | {aim} |"
        )
    return "\n".join(lines)


def write_results(summary: dict[str, Any], json_path: Path, md_path: Path) -> None:
    json_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    runs = {int(n): run for n, run in summary["runs"].items()}
    notes = []
    for n in sorted(runs):
        run = runs[n]
        load = run["load_average"]
        notes.append(
            f"- N = {n:,} (run {run.get('when', summary['when'])}):"
            f" {run['events']:,} events over {run['span_days']} days;"
            f" generated in {run['generation']['seconds']:,.0f} s"
            f" ({run['generation']['events_per_s']:,} events/s);"
            f" database {run['size']['database_mb']:,} MB;"
            f" load average {load[0][0]:.1f} at start, {load[1][0]:.1f} at end"
        )
    md = [
        "# A province in one installation (issue 30)",
        "",
        f"- when: {summary['when']}",
        f"- machine: {summary['machine']} (shared with other jobs: absolute times"
        " are inflated, see the load averages)",
        f"- tree: {summary['shape']} (prefectures x counties x towns x villages),"
        f" {summary['tenants']:,} tenants",
        "- command: `make bench-province` (`python bench/province.py`)",
        *notes,
        "",
        table(summary),
        "",
    ]
    md_path.write_text("\n".join(md))
    print("\n".join(md))
