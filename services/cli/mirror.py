"""``gongkai mirror``: hold and verify a county's records (docs/federation.md)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from services.cli.common import err, load_settings

mirror_app = typer.Typer(
    help="Mirrors of other installations (a prefecture's counties).",
    no_args_is_help=True,
)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
NameArg = Annotated[str, typer.Argument(help="the mirror's name, e.g. county-a")]


@contextmanager
def _store() -> Iterator[Any]:
    from infra.mirror_store import MirrorStore

    settings = load_settings()
    store = MirrorStore(settings.eventsourcing_env())
    try:
        yield settings, store
    finally:
        store.close()


@contextmanager
def _mapper(settings: Any) -> Iterator[Any]:
    """This installation's event mapper (to map a leaf's payload as the feed does)."""
    from services.tenants.commands import Tenants

    app = Tenants(env=settings.eventsourcing_env())
    try:
        yield app.mapper
    finally:
        app.close()


def _config(store: Any, name: str) -> Any:
    config = store.config(name)
    if config is None:
        err.print(f"[red]没有名为 {name} 的镜像[/red]（gongkai mirror list）")
        raise typer.Exit(2)
    return config


@mirror_app.command("add")
def add(
    name: NameArg,
    feed: Annotated[str, typer.Option(help="the county API's base URL")],
    trust: Annotated[
        str, typer.Option(help="the county top log's note verifier key (pinned)")
    ],
    token: Annotated[
        str | None, typer.Option(help="the county's bearer token (a secret)")
    ] = None,
    token_file: Annotated[
        Path | None, typer.Option(help="a file whose first line is the token")
    ] = None,
    kafka: Annotated[
        str | None,
        typer.Option(
            help="read the events from the county relay's Kafka (bootstrap "
            "host:port,…); --feed still serves leaves, keys and proofs"
        ),
    ] = None,
    topics: Annotated[
        str | None,
        typer.Option(help="with --kafka: the topics, comma-separated (default all)"),
    ] = None,
    topic_prefix: Annotated[
        str,
        typer.Option(help="with --kafka: the county's GONGKAI_KAFKA_TOPIC_PREFIX"),
    ] = "gongkai",
) -> None:
    """Add a mirror: its config in the database, its token in a 0600 file."""
    from services.mirror.checks import top_of
    from services.mirror.follow import write_token
    from services.mirror.source import api_base

    if not NAME.fullmatch(name):
        err.print(f"[red]镜像名只能含字母、数字、- 和 _：[/red]{name!r}")
        raise typer.Exit(2)
    if token_file is not None:
        token = token_file.read_text(encoding="utf-8").splitlines()[0]
    if not token:
        err.print("[red]需要 --token 或 --token-file[/red]")
        raise typer.Exit(2)
    if not feed.startswith(("http://", "https://")):
        err.print(f"[red]--feed 应为 http(s) 地址：[/red]{feed}")
        raise typer.Exit(2)
    try:
        installation, top = top_of(trust)
    except Exception as e:  # a malformed key names itself
        err.print(f"[red]--trust 不是有效的签名验证密钥：[/red]{e}")
        raise typer.Exit(2) from None
    stored = None
    if kafka:
        from services.mirror.kafka_source import KafkaSettings

        names = tuple(t.strip() for t in (topics or "").split(",") if t.strip())
        stored = KafkaSettings(kafka.strip(), names, topic_prefix).to_json()
    elif topics:
        err.print("[red]--topics 需与 --kafka 同用[/red]")
        raise typer.Exit(2)
    with _store() as (settings, store):
        try:
            store.add(name, api_base(feed), trust.strip(), stored)
        except KeyError:
            err.print(f"[red]镜像 {name} 已存在[/red]")
            raise typer.Exit(2) from None
        path = write_token(settings.home, name, token)
    source = f"Kafka {kafka}，审计 API {api_base(feed)}" if kafka else api_base(feed)
    typer.echo(f"镜像 {name}：{installation} 的 {top}，来源 {source}")
    typer.echo(f"令牌存于 {path}（仅本用户可读）")


@mirror_app.command("list")
def list_() -> None:
    """Names and sources of the mirrors."""
    with _store() as (_, store):
        for config in store.configs():
            kafka = f"\tkafka:{config.kafka}" if config.kafka else ""
            typer.echo(f"{config.name}\t{config.feed}{kafka}")


@mirror_app.command("remove")
def remove(
    name: NameArg,
    purge: Annotated[bool, typer.Option(help="also delete what it holds")] = False,
) -> None:
    """Remove a mirror's config and token (its held records stay unless --purge)."""
    from services.mirror.follow import token_file

    with _store() as (settings, store):
        _config(store, name)
        store.remove(name, purge)
        token_file(settings.home, name).unlink(missing_ok=True)
    typer.echo(f"镜像 {name} 已删除")


@mirror_app.command("follow")
def follow(
    name: NameArg,
    once: Annotated[
        bool, typer.Option(help="catch up to the county's end, then exit")
    ] = False,
    poll: Annotated[float, typer.Option(help="seconds between polls")] = 2.0,
) -> None:
    """Follow in the foreground. Exit 1 if stopped (fork, key, data), 3 if the
    county cannot be reached (--once)."""
    from services.mirror.build import open_mirror
    from services.mirror.follow import STOPPED
    from services.mirror.follow import follow as follow_loop
    from services.mirror.source import SourceDownError, SourceRefusedError

    with _store() as (settings, store), _mapper(settings) as mapper:
        _config(store, name)
        mirror = open_mirror(store, settings, mapper, name)
        totals = {"verified": 0, "read": 0}

        def report(progress: Any) -> None:
            totals["verified"] += progress.verified
            totals["read"] += progress.read
            state = store.state(name)
            if progress.read or progress.verified:
                err.print(
                    f"{name}：已读 {totals['read']}，已验证 {totals['verified']}，"
                    f"位置 {state.position}（县端已见 {state.source_end}）",
                    highlight=False,
                )

        if once:
            try:
                while True:
                    progress = mirror.step()
                    report(progress)
                    if store.state(name).state in STOPPED or (
                        progress.caught_up
                        and not progress.read
                        and not progress.checkpoints
                    ):
                        break
            except (SourceDownError, SourceRefusedError) as e:
                mirror.source_down(str(e))
                err.print(f"[red]来源不可达：[/red]{e}")
                raise typer.Exit(3) from None
        else:
            stopping = threading.Event()
            try:
                follow_loop(mirror, stopping.is_set, stopping.wait, poll, report)
            except KeyboardInterrupt:
                stopping.set()
        mirror.source.close()
        _print_status(store, name)
        if store.state(name).state in STOPPED:
            raise typer.Exit(1)


def _print_status(store: Any, name: str) -> None:
    from services.mirror.health import mirror_status

    s = mirror_status(store, name)
    lines = [
        f"镜像 {s['name']}",
        f"  来源　　　 Kafka {s['kafka']}，审计 API {s['feed']}"
        if "kafka" in s
        else f"  来源　　　 {s['feed']}",
        f"  状态　　　 {s['label']}",
        f"  位置　　　 {s['position']}（县端已见 {s['source_end']}）",
        f"  延迟　　　 {s['lag']}",
        f"  已验证检查点 {s['top']} 大小 {s['verified_size']}",
        f"  已持事件　 {s['events']}",
    ]
    if s["detail"]:
        lines.append(f"  原因　　　 {s['detail']}")
    for fork in s["forks"]:
        lines.append(
            f"  分叉证据　 {fork['tenant']}：{fork['reason']}（{fork['found_at']}；"
            "两份签名检查点均已保存）"
        )
    typer.echo("\n".join(lines))


@mirror_app.command("status")
def status(
    name: Annotated[str | None, typer.Argument(help="one mirror (default all)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON, one list")] = False,
) -> None:
    """Name, source, position, last verified checkpoint, lag and state."""
    with _store() as (_, store):
        names = (
            [_config(store, name).name] if name else [c.name for c in store.configs()]
        )
        if as_json:
            from services.mirror.health import mirror_status

            found = [mirror_status(store, n) for n in names]
            typer.echo(json.dumps(found, ensure_ascii=False))
            return
        if not names:
            typer.echo("没有镜像（gongkai mirror add）")
        for n in names:
            _print_status(store, n)


@mirror_app.command("verify")
def verify(name: NameArg) -> None:
    """Re-verify everything the mirror holds, offline. Exit 1 on any problem."""
    from services.mirror.follow import witness_signer
    from services.mirror.verify import verify_held

    with _store() as (settings, store), _mapper(settings) as mapper:
        _config(store, name)
        from services.mirror.checks import mapped_for

        witness = witness_signer(settings.home, settings.installation).verifier()
        found = verify_held(
            store,
            name,
            mapped_for(mapper),
            witness,
            lambda line: err.print(line, highlight=False),
        )
    typer.echo(
        f"镜像 {name}：{found.tenants} 个单位，{found.leaves} 个叶子，"
        f"{found.checkpoints} 个检查点，{found.events} 个事件已离线复核"
    )
    if found.forks:
        typer.echo(f"分叉证据 {found.forks} 份")
    for problem in found.problems:
        typer.echo(f"不符：{problem}")
    if found.problems:
        raise typer.Exit(1)
    typer.echo("全部相符")
