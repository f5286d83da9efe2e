"""Rows a view writes set-wise: buffered through a batch, written at its end.

A view's handler that writes through ``SqlView._rows`` says *what* the rows are
(``replace``: the rows of a table under one key, the old ones deleted; ``append``:
new rows), not how to write them. Inside a batch (a catch-up or a rebuild) the rows
wait in a ``BufferedRows`` until the batch ends, then go to the database in a few
statements per table whatever the batch's size: one ``DELETE`` of every replaced
key and one ``COPY`` (PostgreSQL) or ``executemany`` (SQLite) of every row, in the
batch's transaction, before its last tracking position. Outside a batch the same
rows are written at once, in the transaction that records the event's position.

Buffered rows are not visible to the view's own queries until the batch ends: a
handler that reads rows its batch may have written must look here first (see
``DisclosureView.current_state`` for its own buffer). Any table can use this, with
no change here: new per-tenant tables only call ``replace`` or ``append``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class TableRows:
    """One table's pending rows: keyed groups that replace what the table holds
    under their key (the last group per key wins), or rows appended."""

    def __init__(self, columns: Sequence[str], key_column: str | None) -> None:
        self.columns = tuple(columns)
        self.key_column = key_column
        self.groups: dict[Any, list[Sequence[Any]]] = {}
        self.appended: list[Sequence[Any]] = []

    def rows(self) -> list[Sequence[Any]]:
        out = list(self.appended)
        for group in self.groups.values():
            out.extend(group)
        return out


class BufferedRows:
    """Every table's pending rows, in the order the tables were first written."""

    def __init__(self) -> None:
        self.tables: dict[str, TableRows] = {}

    def _table(
        self, table: str, columns: Sequence[str], key_column: str | None
    ) -> TableRows:
        found = self.tables.get(table)
        if found is None:
            found = self.tables[table] = TableRows(columns, key_column)
        elif found.key_column != key_column or found.columns != tuple(columns):
            msg = f"{table}: one batch writes a table one way (columns and key)"
            raise ValueError(msg)
        return found

    def replace(
        self,
        table: str,
        columns: Sequence[str],
        key_column: str,
        key: Any,
        rows: Sequence[Sequence[Any]],
    ) -> None:
        """After the batch, ``table``'s rows with ``key_column = key`` are exactly
        ``rows`` (none: deleted)."""
        pending = self._table(table, columns, key_column)
        pending.groups.pop(key, None)  # keeps the dict in last-written order
        pending.groups[key] = [tuple(r) for r in rows]

    def append(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Insert ``rows`` into ``table`` (a duplicate key fails the batch)."""
        self._table(table, columns, None).appended.extend(tuple(r) for r in rows)

    def __bool__(self) -> bool:
        return bool(self.tables)
