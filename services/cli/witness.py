"""``gongkai witness``: run a C2SP tlog-witness, print its key, submit checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from infra.keys import Ed25519Signer, KeyStore

witness_app = typer.Typer(
    help="Witnesses beyond the installation (C2SP tlog-witness).", no_args_is_help=True
)
err = Console(stderr=True)
WITNESS_KEY = "witness"  # the key file's name under the witness's home
NAME_FILE = "witness.name"  # beside it: the name the key signs under


def _home(home: Path | None) -> Path:
    from infra.settings import Settings

    return home or Settings().home / "witness"


def _default_name() -> str:
    from infra.settings import Settings

    return f"{Settings().installation}/witness"


def _signer(home: Path, name: str | None) -> Ed25519Signer:
    """The witness's cosigner: its key, and the name stored beside it when the key
    was made, so that every command signs and prints one name and one key id.
    Exits 2 if ``name`` is not the stored one."""
    stored = home / "keys" / NAME_FILE
    if stored.is_file():
        known = stored.read_text(encoding="utf-8").strip()
        if name is not None and name != known:
            err.print(
                f"[red]this witness's key is named {known!r}, not {name!r}:[/red] a"
                " name is part of the key id the logs were given (another name needs"
                " another --home)"
            )
            raise typer.Exit(2)
        name = known
    else:  # the first use (or a key from before names were stored) fixes the name
        name = name or _default_name()
        if "+" in name or not name or any(c.isspace() for c in name):
            err.print(f"[red]a key name has no spaces and no '+':[/red] {name!r}")
            raise typer.Exit(2)
        stored.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        stored.write_text(name + "\n", encoding="utf-8")
    return KeyStore(home / "keys").cosigner(name, WITNESS_KEY)


NameOpt = Annotated[
    str | None,
    typer.Option(
        help="the witness's key name, fixed when its key is made"
        " (default: <installation>/witness)"
    ),
]
HomeOpt = Annotated[
    Path | None,
    typer.Option(help="witness state and key (default $GONGKAI_HOME/witness)"),
]


@witness_app.command("key")
def key(name: NameOpt = None, home: HomeOpt = None) -> None:
    """Print the witness's cosignature verifier key (give it to the logs)."""
    signer = _signer(_home(home), name)
    typer.echo(signer.verifier_key())


@witness_app.command("serve")
def serve(
    log_key: Annotated[
        list[str] | None,
        typer.Option(help="a log's note verifier key (repeatable); its name = origin"),
    ] = None,
    log_keys_file: Annotated[
        Path | None, typer.Option(help="a file of log verifier keys, one a line")
    ] = None,
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8100,
    name: NameOpt = None,
    home: HomeOpt = None,
) -> None:
    """Cosign the checkpoints of the given logs after checking consistency."""
    import uvicorn

    from infra.witness_state import WitnessState
    from services.audit.witness import Witness, create_witness_app

    keys = list(log_key or [])
    if log_keys_file is not None:
        keys += [k for k in log_keys_file.read_text().split() if k]
    if not keys:
        err.print("[red]name at least one log key (--log-key or --log-keys-file)[/red]")
        raise typer.Exit(2)
    directory = _home(home)
    signer = _signer(directory, name)
    try:
        witness = Witness(signer, keys, WitnessState(directory / "witness.db"))
    except Exception as e:  # a malformed key names itself
        err.print(f"[red]bad log key:[/red] {e}")
        raise typer.Exit(2) from None
    # Plain lines (rich would wrap the key): what `gongkai witness key` prints.
    typer.echo(f"witness {signer.verifier_key()}", err=True)
    typer.echo(f"for logs: {', '.join(sorted(witness.logs))}", err=True)
    uvicorn.run(create_witness_app(witness), host=host, port=port, log_level="warning")


@witness_app.command("submit")
def submit(tenant: Annotated[str, typer.Option(help="a top tenant's path")]) -> None:
    """Submit the tenant's latest checkpoint to every witness in GONGKAI_WITNESSES."""
    from domain.errors import GongkaiError
    from infra.settings import Settings
    from services.audit.witness import submit as submit_one
    from services.platform.runtime import Platform

    platform = Platform(Settings())
    failed = 0
    try:
        if not platform.witnesses:
            err.print("[red]GONGKAI_WITNESSES names no witness[/red]")
            raise typer.Exit(2)
        for endpoint in platform.witnesses:
            try:
                sig = submit_one(platform.auditor, tenant, endpoint)
                typer.echo(sig.line(), nl=False)
            except (GongkaiError, OSError) as e:
                failed += 1
                err.print(f"[red]{endpoint.url}:[/red] {e}")
    finally:
        platform.close()
    raise typer.Exit(1 if failed else 0)
