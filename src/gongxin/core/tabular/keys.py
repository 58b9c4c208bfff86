"""Keys already seen in the file being imported, kept in a temporary table of the database.

A file of a million rows would need hundreds of megabytes to remember its keys in Python;
in a temporary table they cost nothing in the process, so memory stays flat however long
the file is. The table lives in the import's transaction and connection and is dropped
at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import connection

_SEP = "\x1f"


def key_text(key: object) -> str:
    parts = key if isinstance(key, tuple) else (key,)
    return _SEP.join("" if p is None else str(p) for p in parts)


class SeenKeys:
    """`add(chunk)` records (key, row) pairs and returns {row: first row with that key} for
    the rows whose key came earlier in the file (earlier chunk or earlier in this chunk)."""

    def __init__(self) -> None:
        self.table = f"gx_import_keys_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} "
                "(k VARCHAR(500) PRIMARY KEY, r INTEGER NOT NULL)"
            )

    def add(self, pairs: Sequence[tuple[str, int]]) -> dict[int, int]:
        if not pairs:
            return {}
        first_in_chunk: dict[str, int] = {}
        repeats: dict[int, str] = {}
        for key, row in pairs:
            if key in first_in_chunk:
                repeats[row] = key
            else:
                first_in_chunk[key] = row
        keys = list(first_in_chunk)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                earlier = self._add_postgresql(cursor, keys, list(first_in_chunk.values()))
            else:
                placeholders = ",".join(["%s"] * len(keys))
                cursor.execute(f"SELECT k, r FROM {self.table} WHERE k IN ({placeholders})", keys)
                earlier = dict(cursor.fetchall())
                fresh = [(k, r) for k, r in first_in_chunk.items() if k not in earlier]
                if fresh:
                    cursor.executemany(f"INSERT INTO {self.table} (k, r) VALUES (%s, %s)", fresh)
        duplicates = {row: earlier[key] for key, row in first_in_chunk.items() if key in earlier}
        for row, key in repeats.items():
            duplicates[row] = earlier.get(key, first_in_chunk[key])
        return duplicates

    def _add_postgresql(self, cursor, keys: list[str], rows: list[int]) -> dict[str, int]:
        """Insert the chunk's keys with two array parameters (not two per key) and return
        {key: first row} for those already there."""
        cursor.execute(
            f"INSERT INTO {self.table} (k, r) SELECT * FROM unnest(%s::text[], %s::int[]) "
            "ON CONFLICT (k) DO NOTHING RETURNING k",
            [keys, rows],
        )
        inserted = {k for (k,) in cursor.fetchall()}
        repeated = [k for k in keys if k not in inserted]
        if not repeated:
            return {}
        cursor.execute(f"SELECT k, r FROM {self.table} WHERE k = ANY(%s)", [repeated])
        return dict(cursor.fetchall())

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
