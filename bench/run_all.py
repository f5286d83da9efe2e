"""``make bench``: every benchmark at sizes that finish in about ten minutes here.

Runs each bench script as its own process (so one's caches and threads do not
colour the next), collects its table (stdout) and its JSON summary, and writes
``bench/results/latest.md`` and ``bench/results/latest.json``. ``--quick`` runs
small sizes (a minute or two) to check the machinery; its results go to
``bench/results/quick.*`` instead.

These are measurements, not tests: nothing here fails on a slow number. The aims of
issue 8 are compared in the summary table, each as the ratio to a raw baseline
measured in the same run where the aim is a ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"

FULL: dict[str, list[str]] = {
    "append": ["--events", "1500", "--rounds", "3"],
    "audit": [
        "--leaves",
        "1000",
        "--rounds",
        "3",
        "--batched-leaves",
        "20000",
        "--proofs",
        "100",
    ],
    "projections": ["--items", "20000"],
    "commands": ["--commands", "500", "--rounds", "3"],
    "serving": ["--items", "40000", "--seconds", "8", "--queries", "100"],
    "relay": ["--events", "10000", "--rounds", "3"],
    "http": ["--seconds", "4"],
}
QUICK: dict[str, list[str]] = {
    "append": ["--events", "200", "--rounds", "2", "--warmup", "50"],
    "audit": [
        "--leaves",
        "200",
        "--rounds",
        "2",
        "--warmup",
        "50",
        "--batched-leaves",
        "4000",
        "--proofs",
        "20",
        "--quick",
    ],
    "projections": ["--items", "2000"],
    "commands": ["--commands", "100", "--rounds", "2"],
    "serving": [
        "--items",
        "3000",
        "--seconds",
        "2",
        "--queries",
        "20",
        "--clients",
        "1,8",
        "--processes",
        "1",
    ],
    "relay": ["--events", "2000", "--rounds", "1"],
    "http": ["--seconds", "1", "--connections", "1,8"],
}
JSON_CAPABLE = {"append", "audit", "projections", "commands", "serving", "relay"}
JSON_CAPABLE |= {"http"}


def run(name: str, args: list[str], out: Path) -> dict[str, Any]:
    argv = [sys.executable, "-P", str(HERE / f"{name}.py"), *args]
    if name in JSON_CAPABLE:
        argv += ["--json", str(out)]
    print(f"== {name}: {' '.join(argv[1:])}", file=sys.stderr, flush=True)
    began = time.perf_counter()
    proc = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, check=False, env=os.environ
    )
    elapsed = time.perf_counter() - began
    sys.stderr.write(proc.stderr[-2000:])
    result: dict[str, Any] = {
        "args": args,
        "seconds": round(elapsed, 1),
        "exit": proc.returncode,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "table": proc.stdout.strip(),
    }
    if name in JSON_CAPABLE and out.exists():
        result["summary"] = json.loads(out.read_text())
        out.unlink()
    print(f"== {name}: {elapsed:.0f}s, exit {proc.returncode}", file=sys.stderr)
    return result


def aims(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(aim, target, measured, met?) rows from the JSON summaries."""
    rows: list[tuple[str, str, str, str]] = []

    def row(
        aim: str, target: str, value: float | None, ok: bool | None, fmt: str
    ) -> None:
        shown = "n/a" if value is None else format(value, fmt)
        rows.append(
            (aim, target, shown, "n/a" if ok is None else ("yes" if ok else "no"))
        )

    append = results.get("append", {}).get("summary")
    if append:
        seq = append["sequential_ratio_to_raw"][append["save_sequential"]]
        row("Application.save / raw INSERT", ">= 0.80", seq, seq >= 0.80, ".2f")
        conc = append["concurrent_ratio_to_raw"][append["save_concurrent"]]
        row(
            "Application.save, concurrent / raw concurrent",
            ">= 1.0",
            conc,
            conc >= 1.0,
            ".2f",
        )
    audit = results.get("audit", {}).get("summary", {}).get("batched")
    if audit:
        row(
            "audit follower leaves/s (batched)",
            ">= 10,000",
            audit["view_leaves_per_s"],
            audit["view_leaves_per_s"] >= 10_000,
            ",.0f",
        )
        row(
            "audit batched / raw executemany",
            ">= 0.30",
            audit["ratio"],
            audit["ratio"] >= 0.30,
            ".2f",
        )
    proofs = results.get("audit", {}).get("summary", {}).get("proofs", [])
    if proofs:
        largest = max(p["size"] for p in proofs)
        worst = max(p["median_us"] for p in proofs if p["size"] == largest) / 1000
        row(f"proof median at {largest:,} leaves (ms)", "< 5", worst, worst < 5, ".1f")
    proj = results.get("projections", {}).get("summary")
    if proj:
        for key in ("rebuild", "catch_up"):
            ratio = proj[key]["ratio_to_raw"]
            row(
                f"projection {key} / raw executemany",
                ">= 0.25",
                ratio,
                ratio >= 0.25,
                ".2f",
            )
    cmds = results.get("commands", {}).get("summary")
    if cmds:
        for name, ratio in cmds["ratio_to_raw"].items():
            if not name.startswith("raw") and "up front" not in name:
                row(f"{name} / raw INSERT", ">= 0.50", ratio, ratio >= 0.50, ".2f")
    serving = results.get("serving", {}).get("summary")
    if serving:
        for name, q in serving.get("queries", {}).items():
            ok = q["p50_ms"] < 20 and q["p99_ms"] < 50
            row(f"{name} p50/p99 (ms)", "< 20 / < 50", q["p50_ms"], ok, ".1f")
            rows[-1] = (
                *rows[-1][:2],
                f"{q['p50_ms']:.1f} / {q['p99_ms']:.1f}",
                rows[-1][3],
            )
        for m in serving.get("mixed", []):
            if m["clients"] == max(x["clients"] for x in serving["mixed"]):
                p99 = m["read"]["p99_ms"]
                row(
                    f"reads p99, {m['clients']} clients, {m['api_processes']} API (ms)",
                    "< 50",
                    p99,
                    p99 < 50,
                    ".0f",
                )
    relay = results.get("relay", {}).get("summary")
    if relay:
        row(
            "relay / raw kafka-python (issue 9)",
            ">= 0.80",
            relay["ratio"],
            relay["ratio"] >= 0.80,
            ".2f",
        )
    http = results.get("http", {}).get("summary")
    if http:  # bench/http.py states its own aims (issue 25)
        rows += [tuple(r) for r in http.get("aims", [])]
    return rows


def markdown(results: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"- when: {meta['when']}  ",
        f"- commit: {meta['commit']}  ",
        f"- machine: {meta['machine']}, {meta['cpus']} CPUs, load average at start"
        f" {meta['load_at_start']}  ",
        f"- total run time: {meta['seconds']:.0f} s  ",
        "- the machine is shared (other jobs run alongside): absolute numbers are"
        " noisy; the ratios are measured in the same run, variants taking turns.",
        *(
            [
                f"- this run: only {meta['only']}; the other sections are kept from"
                " earlier runs (each section's heading says when it ran, if known)."
            ]
            if meta.get("only")
            else []
        ),
        "",
        "## Aims (issues 8, 9 and 25)",
        "",
        "| aim | target | measured | met |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {t} | {m} | {ok} |" for a, t, m, ok in aims(results)]
    for name, result in results.items():
        lines += [
            "",
            f"## {name} ({result['seconds']:.0f} s, exit {result['exit']}"
            + (f", {result['when']})" if "when" in result else ")"),
            "",
            f"`python bench/{name}.py {' '.join(result['args'])}`",
            "",
            "```",
            result["table"],
            "```",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, quick.*")
    parser.add_argument("--only", help="comma-separated bench names")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    if args.only:
        plan = {k: v for k, v in plan.items() if k in args.only.split(",")}
    RESULTS.mkdir(exist_ok=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    meta: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit or "unknown",
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "only": args.only or "",
    }
    began = time.perf_counter()
    stem = "quick" if args.quick else "latest"
    # --only replaces those benches' sections; the others stay as last written.
    kept: dict[str, Any] = {}
    if args.only and (RESULTS / f"{stem}.json").exists():
        kept = json.loads((RESULTS / f"{stem}.json").read_text())["results"]
    results = kept | {
        name: run(name, bench_args, RESULTS / f".{name}.json")
        for name, bench_args in plan.items()
    }
    meta["seconds"] = time.perf_counter() - began
    (RESULTS / f"{stem}.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2, ensure_ascii=False)
        + "\n"
    )
    (RESULTS / f"{stem}.md").write_text(markdown(results, meta))
    print(markdown(results, meta))
    if any(r["exit"] != 0 for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
