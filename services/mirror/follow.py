"""Following a county: read its feed, verify, hold (docs/federation.md).

One ``step`` reads a page of the county's feed after the cursor and keeps its
events as pending. Then every signed checkpoint covering a pending event is checked
in log order: signed by the pinned key (or, below the county, by the tenant's key
and cosigned by its parent), consistent with the last one held for that tenant, its
root reproduced by the leaves held plus those the county serves up to its size, and
for the county's own log cosigned by this installation as its witness
(services/audit/witness.py, the same code as ``gongkai witness serve``). The pending
events it covers are then bound to their leaves and held. A checkpoint that
contradicts one held stops the mirror with both kept as proof of the fork; one not
signed by the trusted key stops it as refused.

Checkpoints ride along at the position of the last event they cover, and the HTTP
feed does not send one again once the reader has passed that position; a step
therefore also scans the checkpoints from the first pending event (a checkpoint-only
read of the feed is cheap) so that a checkpoint issued after its events were read is
not missed.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.errors import GongkaiError
from domain.ledger import (
    append_to_range,
    root_from_leaves,
    root_from_range,
    verify_consistency,
)
from domain.ledger.note import Checkpoint, Note
from domain.tenancy import is_within, parent_of
from infra.keys import Ed25519Signer, KeyStore
from infra.mirror_store import MirrorConfig, MirrorStore
from infra.witness_state import WitnessState
from services.audit.witness import SIZE_TYPE, Witness
from services.mirror.checks import (
    BadDataError,
    KeyRefusedError,
    Mapping_,
    NotYetError,
    bind,
    check_signed,
    decode_leaf,
    leaf_hash,
    parse,
    top_of,
)
from services.mirror.source import Source, SourceRefusedError
from services.streams.cloudevents import CHECKPOINT_TYPE

log = logging.getLogger("gongkai.mirror")

FOLLOWING = "following"
FORK = "stopped:fork"
REFUSED_KEY = "stopped:refused-key"
BAD_DATA = "stopped:bad-data"
SOURCE_DOWN = "source-down"
STOPPED = (FORK, REFUSED_KEY, BAD_DATA)
LABELS = {
    FOLLOWING: "跟随中",
    FORK: "已停止：分叉",
    REFUSED_KEY: "已停止：密钥不符",
    BAD_DATA: "已停止：数据不符",
    SOURCE_DOWN: "来源不可达",
}
WITNESS_KEY = "witness"
WITNESS_NAME_FILE = "witness.name"


class ForkError(Exception):
    """Two signed checkpoints of one log that cannot both be true."""

    def __init__(self, tenant: str, held: str, new: str, reason: str) -> None:
        super().__init__(reason)
        self.tenant, self.held, self.new, self.reason = tenant, held, new, reason


def token_file(home: Path, name: str) -> Path:
    return home / "mirrors" / f"{name}.token"


def read_token(home: Path, name: str) -> str:
    return token_file(home, name).read_text(encoding="utf-8").strip()


def write_token(home: Path, name: str, token: str) -> Path:
    """The token in a file only its owner reads (like the signing keys)."""
    path = token_file(home, name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(token.strip() + "\n", encoding="utf-8")
    return path


def witness_signer(home: Path, installation: str) -> Ed25519Signer:
    """This installation's witness cosigner: the key ``gongkai witness key`` prints
    (made with the name ``<installation>/witness`` on first use)."""
    keys = home / "witness" / "keys"
    stored = keys / WITNESS_NAME_FILE
    if stored.is_file():
        name = stored.read_text(encoding="utf-8").strip()
    else:
        name = f"{installation}/witness"
        keys.mkdir(mode=0o700, parents=True, exist_ok=True)
        stored.write_text(name + "\n", encoding="utf-8")
    return KeyStore(keys).cosigner(name, WITNESS_KEY)


@dataclass
class Progress:
    """What one step did."""

    read: int = 0
    verified: int = 0
    checkpoints: int = 0
    caught_up: bool = False
    notes: list[str] = field(default_factory=list)


class Mirror:
    """One mirror: its config, its store rows, the county and this witness."""

    def __init__(
        self,
        store: MirrorStore,
        config: MirrorConfig,
        source: Source,
        signer: Ed25519Signer,
        state_dir: Path,
        mapped: Mapping_ | None,
    ) -> None:
        self.store, self.config, self.source = store, config, source
        self.name = config.name
        self.installation, self.top = top_of(config.trust_key)
        self.witness = Witness(
            signer,
            [config.trust_key],
            WitnessState(state_dir / f"{config.name}.witness.db"),
        )
        self.mapped = mapped
        self._ranges: dict[str, tuple[list[bytes], int]] = {}
        self._top_confirmed = False

    # One step ------------------------------------------------------------------------

    def step(self) -> Progress:
        """Read one page and verify what it can; raises SourceDownError, and records
        (then returns) a stop."""
        progress = Progress()
        state = self.store.state(self.name)
        if state.state in STOPPED:
            return progress
        if not self._top_confirmed:
            try:
                self._confirm_top()
            except KeyRefusedError as e:
                self._stop(REFUSED_KEY, str(e))
                return progress
        page = self.source.feed(state.cursor)
        events = [
            e
            for e in page.events
            if e["type"] != CHECKPOINT_TYPE and is_within(str(e["subject"]), self.top)
        ]
        self.store.add_pending(
            self.name,
            [
                (
                    int(e["sequence"]),
                    str(e["subject"]),
                    json.dumps(e, ensure_ascii=False),
                )
                for e in events
            ],
        )
        progress.read = len(events)
        cursor = max(page.next_after, state.cursor)
        progress.caught_up = page.next_after == state.cursor
        first = self.store.first_pending(self.name)
        start = state.cursor if first is None else min(first - 1, state.cursor)
        if start == state.cursor:
            checkpoints = [e for e in page.events if e["type"] == CHECKPOINT_TYPE]
        else:
            checkpoints = self._checkpoints(start, cursor)
        try:
            for cp in sorted(
                checkpoints,
                key=lambda e: (int(e["sequence"]), int(e["data"]["size"])),
            ):
                if int(cp["sequence"]) > cursor:
                    continue
                if not is_within(str(cp["data"]["tenant"]), self.top):
                    continue
                try:
                    done = self.checkpoint(cp)
                except NotYetError as e:  # its parent's checkpoint comes later
                    progress.notes.append(f"{cp['data']['tenant']} 等待 {e}")
                    continue
                if done is not None:
                    progress.checkpoints += 1
                    progress.verified += done
        except ForkError as e:
            self.store.add_fork(self.name, e.tenant, e.held, e.new, e.reason)
            self._stop(FORK, f"{e.tenant}：{e.reason}")
            return progress
        except KeyRefusedError as e:
            self._stop(REFUSED_KEY, str(e))
            return progress
        except BadDataError as e:
            self._stop(BAD_DATA, str(e))
            return progress
        self.store.set_cursor(self.name, cursor)
        self.store.set_source_end(self.name, cursor)
        if state.state != FOLLOWING:
            self.store.set_state(self.name, FOLLOWING)
        return progress

    def _confirm_top(self) -> None:
        """The county must hold the pinned key's tenant under that very key. A
        mirror pinned to another county's key would otherwise read a feed with
        nothing of its subtree in it and show 跟随中 with no lag, holding nothing."""
        try:
            found = self.source.keys(self.top)
        except SourceRefusedError as e:
            if e.status != 404:
                raise  # the token or the URL: retried as the source being down
            raise KeyRefusedError(f"县端没有所信任密钥的单位 {self.top}") from None
        if self.config.trust_key not in found.get(self.top, []):
            raise KeyRefusedError(f"县端单位 {self.top} 的签名密钥中没有所信任的密钥")
        self._top_confirmed = True

    def _stop(self, state: str, detail: str) -> None:
        log.error("mirror %s stopped (%s): %s", self.name, state, detail)
        self.store.set_state(self.name, state, detail)

    def source_down(self, detail: str) -> None:
        if self.store.state(self.name).state not in STOPPED:
            self.store.set_state(self.name, SOURCE_DOWN, detail)

    def _checkpoints(self, start: int, upto: int) -> list[dict[str, Any]]:
        """The checkpoints covering positions ``(start, upto]``, read alone."""
        found: list[dict[str, Any]] = []
        after = start
        while after < upto:
            page = self.source.feed(after, types=[CHECKPOINT_TYPE])
            found.extend(page.events)
            if page.next_after <= after:
                break
            after = page.next_after
        return found

    # One checkpoint ------------------------------------------------------------------

    def checkpoint(self, cp: dict[str, Any]) -> int | None:
        """Verify and hold one checkpoint and the pending events it covers; the
        number of events verified, None if it was already held."""
        tenant = str(cp["data"]["tenant"])
        text = str(cp["data"]["note"])
        note, checkpoint = parse(text)
        held = self.store.latest_checkpoint(self.name, tenant)
        if held is not None and checkpoint.size <= int(held["size"]):
            self._older(tenant, held, note, checkpoint, text)
            return None
        self._check_signature(note, checkpoint, tenant)
        if held is not None:
            self._check_consistent(tenant, held, checkpoint, text)
        range_, size = self._range(tenant)
        fetched = self.source.leaves(tenant, size, checkpoint.size - 1)
        if [i for i, _, _ in fetched] != list(range(size, checkpoint.size)):
            raise BadDataError(f"{tenant} 的叶子不连续或不全（到 {checkpoint.size}）")
        for _, data, _ in fetched:
            range_, _nodes = append_to_range(range_, size, leaf_hash(data))
            size += 1
        if root_from_range(range_, size) != checkpoint.root_hash:
            raise BadDataError(
                f"{tenant} 前 {checkpoint.size} 个叶子算出的根哈希与检查点不符"
            )
        cosignature = self._cosign(tenant, note, checkpoint, held)
        leaves = {}
        for index, data, _ in fetched:
            leaf = decode_leaf(data)
            if leaf.tenant != tenant:
                raise BadDataError(f"{tenant} 的第 {index} 个叶子属于 {leaf.tenant}")
            leaves[f"{leaf.aggregate_id}:{leaf.version}"] = (index, leaf, data)
        bound: dict[str, tuple[int, str, str, str, str]] = {}
        for row in self.store.pending(self.name, tenant, int(cp["sequence"])):
            ce = json.loads(row["cloudevent"])
            found = leaves.get(str(ce["id"]))
            if found is None:
                raise BadDataError(
                    f"事件 {ce['id']}（位置 {row['position']}）不在 {tenant} 的日志中"
                )
            bind(ce, found[1], self.mapped)
            bound[str(ce["id"])] = (
                int(row["position"]),
                tenant,
                str(ce["id"]),
                str(ce["type"]),
                row["cloudevent"],
            )
        self.store.commit_checkpoint(
            self.name,
            {
                "tenant": tenant,
                "size": checkpoint.size,
                "root_hash": checkpoint.root_hash.hex(),
                "position": int(cp["sequence"]),
                "note": text,
                "cosignature": cosignature,
            },
            [
                (
                    index,
                    leaf.position,
                    event_id,
                    leaf_hash(data).hex(),
                    data.decode("utf-8") if event_id in bound else None,
                )
                for event_id, (index, leaf, data) in leaves.items()
            ],
            list(bound.values()),
        )
        self._ranges[tenant] = (range_, size)
        return len(bound)

    def _range(self, tenant: str) -> tuple[list[bytes], int]:
        """The compact range of the leaves held for ``tenant`` (RFC 6962 tree),
        built from the store once, then kept up as checkpoints are verified: a
        checkpoint costs its new leaves, not the whole log again."""
        found = self._ranges.get(tenant)
        if found is None:
            range_: list[bytes] = []
            hashes = self.store.leaf_hashes(self.name, tenant)
            for size, h in enumerate(hashes):
                range_, _nodes = append_to_range(range_, size, h)
            found = self._ranges[tenant] = (range_, len(hashes))
        return found

    def _older(
        self,
        tenant: str,
        held: dict[str, Any],
        note: Note,
        checkpoint: Checkpoint,
        text: str,
    ) -> None:
        """A checkpoint no larger than the one held (read again from the first
        pending event, or one the county signed late): the leaves held decide. Its
        root must be theirs at its size; if it is not, and the county signed it,
        the two signed checkpoints are the proof of a fork."""
        hashes = self.store.leaf_hashes(self.name, tenant)
        if root_from_leaves(hashes[: checkpoint.size]) == checkpoint.root_hash:
            return
        self._check_signature(note, checkpoint, tenant)
        raise ForkError(
            tenant,
            held["note"],
            text,
            f"大小 {checkpoint.size} 的根哈希与已验证的叶子不符"
            f"（已持有大小 {held['size']} 的检查点）",
        )

    def _check_signature(self, note: Note, checkpoint: Checkpoint, tenant: str) -> None:
        parent = parent_of(tenant)
        notes = [r["note"] for r in self.store.checkpoints(self.name, parent or tenant)]
        keys = self.store.keys(self.name)
        try:
            check_signed(note, checkpoint, tenant, self.config.trust_key, keys, notes)
            return
        except (KeyRefusedError, NotYetError):
            if tenant == self.top:
                raise
        for path, found in self.source.keys(tenant).items():  # new or rotated keys
            self.store.add_keys(self.name, path, found)
        keys = self.store.keys(self.name)
        check_signed(note, checkpoint, tenant, self.config.trust_key, keys, notes)

    def _check_consistent(
        self, tenant: str, held: dict[str, Any], checkpoint: Checkpoint, text: str
    ) -> None:
        size1, root1 = int(held["size"]), bytes.fromhex(held["root_hash"])
        try:
            proof = self.source.consistency(tenant, size1, checkpoint.size)
            verify_consistency(
                size1, checkpoint.size, proof, root1, checkpoint.root_hash
            )
        except (GongkaiError, ValueError) as e:
            raise ForkError(
                tenant,
                held["note"],
                text,
                f"与已持有的大小 {size1} 的检查点不一致（{e}）",
            ) from None

    def _cosign(
        self,
        tenant: str,
        note: Note,
        checkpoint: Checkpoint,
        held: dict[str, Any] | None,
    ) -> str | None:
        """As the county's witness (its top log only): the cosignature line."""
        if tenant != self.top:
            return None
        latest = self.witness.state.latest(checkpoint.origin)
        old = latest[0] if latest else 0
        proof = (
            self.source.consistency(tenant, old, checkpoint.size)
            if 0 < old < checkpoint.size
            else []
        )
        body = f"old {old}\n" + "".join(
            base64.b64encode(h).decode() + "\n" for h in proof
        )
        status, content_type, answer = self.witness.add_checkpoint(
            (body + "\n" + note.format()).encode()
        )
        if status == 200:
            return answer
        if status in (403, 404):
            raise KeyRefusedError(f"见证拒绝：{answer.strip()}")
        if status == 409 and content_type.startswith(SIZE_TYPE):
            raise BadDataError(f"见证状态与镜像不一致：{answer.strip()}")
        held_note = held["note"] if held else ""
        raise ForkError(tenant, held_note, note.format(), f"见证拒绝：{answer.strip()}")


def follow(
    mirror: Mirror,
    stop: Callable[[], bool],
    wait: Callable[[float], bool],
    poll: float,
    report: Callable[[Progress], None] | None = None,
) -> None:
    """Step until ``stop()``; when the county is down, back off (up to 30 s) and
    try again; a mirror that stopped (fork, key, data) stays stopped."""
    from services.mirror.source import SourceDownError, SourceRefusedError

    delay = poll
    while not stop():
        try:
            progress = mirror.step()
            delay = poll
        except (SourceDownError, SourceRefusedError) as e:
            mirror.source_down(str(e))
            log.warning("mirror %s: %s", mirror.name, e)
            delay = min(max(delay, 1.0) * 2, 30.0)
            if wait(delay):
                return
            continue
        if report is not None:
            report(progress)
        if mirror.store.state(mirror.name).state in STOPPED:
            return
        if progress.caught_up and wait(poll):
            return
