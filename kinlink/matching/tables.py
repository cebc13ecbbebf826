"""Feature tables for Splink, written from Python and expanded in SQL.

Python computes the features of each *distinct* name or place once (a vocabulary:
id -> normalised text, script, romanisation, skeleton, nickname skeletons, strict
codes, loose skeletons, frequency key) and writes each record reading as a row of
vocabulary ids, birth range and gender.
The SQL engine (DuckDB or Spark) joins the two back into the wide table of
:data:`kinlink.matching.splink_model.FEATURE_COLUMNS` that Splink compares.  A registry
of a million persons has far fewer distinct names than rows, so this keeps the Python
side fast.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .features import ARABIC_SCRIPT, NameFeat
from .keys import NameVariant, PreparedRecord
from .splink_model import COLUMN_PREFIX, TF_SUFFIX, tf_column

__all__ = ["FeatureTables", "Writer"]

_CHUNK = 200_000

ROW_SCHEMA = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("source_dataset", pa.string()),
        ("grp", pa.int64()),
        ("vidx", pa.int32()),
        ("penalty", pa.float64()),
        *[(f"{p}_id", pa.int32()) for p in COLUMN_PREFIX.values()],
        ("birth_lo", pa.int32()),
        ("birth_hi", pa.int32()),
        ("birth_day", pa.int32()),
        ("gender", pa.string()),
    ]
)
VOCAB_SCHEMA = pa.schema(
    [
        ("vid", pa.int32()),
        ("norm", pa.string()),
        ("script", pa.string()),
        ("roman", pa.string()),
        ("skel", pa.string()),
        ("nick", pa.list_(pa.int64())),
        ("codes", pa.list_(pa.int64())),
        ("loose", pa.list_(pa.int64())),
        ("tf", pa.string()),
        ("onset", pa.string()),
        ("tail", pa.string()),
    ]
)


def _hashed(values: tuple[str, ...]) -> list[int]:
    """Set members as 64-bit integers (stable across processes): the SQL engines only ask
    whether two sets share one, and compare integers faster than text."""
    return [
        int.from_bytes(hashlib.blake2b(v.encode(), digest_size=8).digest(), "big", signed=True)
        for v in values
    ]


class Writer:
    """Buffers rows column by column and writes them to Parquet in chunks."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.schema = schema
        self.names = list(schema.names)
        self.cols: list[list[Any]] = [[] for _ in self.names]
        self._first = self.cols[0]
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.rows = 0

    def flush(self) -> None:
        if not self.cols[0]:
            return
        table = pa.table(dict(zip(self.names, self.cols, strict=True)), schema=self.schema)
        self.writer.write_table(table)
        self.rows += table.num_rows
        self.cols = [[] for _ in self.names]
        self._first = self.cols[0]

    def maybe_flush(self) -> None:
        if len(self._first) >= _CHUNK:
            self.flush()

    def close(self) -> None:
        self.flush()
        self.writer.close()


class FeatureTables:
    """The Parquet files of one linkage run: a shared vocabulary and row tables."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self._ids: dict[str, int] = {}
        self._vocab = Writer(workdir / "vocab.parquet", VOCAB_SCHEMA)
        self._tables: dict[str, Writer] = {}

    def vid(self, feat: NameFeat | None) -> int | None:
        if feat is None:
            return None
        vid = self._ids.get(feat.text)
        if vid is None:
            vid = len(self._ids)
            self._ids[feat.text] = vid
            c = self._vocab.cols
            c[0].append(vid)
            c[1].append(feat.norm)
            c[2].append(feat.script)
            c[3].append(feat.roman)
            c[4].append(feat.skel)
            c[5].append(_hashed(feat.nick))
            c[6].append(_hashed(feat.codes))
            c[7].append(_hashed(feat.loose))
            c[8].append(feat.tfkey)
            c[9].append(feat.onset)
            c[10].append(feat.tail)
            self._vocab.maybe_flush()
        return vid

    def table(self, name: str) -> Writer:
        w = self._tables.get(name)
        if w is None:
            w = Writer(self.workdir / f"{name}_rows.parquet", ROW_SCHEMA)
            self._tables[name] = w
        return w

    def add_row(
        self,
        w: Writer,
        uid: int,
        source: str,
        grp: int,
        vidx: int,
        penalty: float,
        p: PreparedRecord,
        v: NameVariant,
    ) -> None:
        c = w.cols
        vid = self.vid
        c[0].append(uid)
        c[1].append(source)
        c[2].append(grp)
        c[3].append(vidx)
        c[4].append(penalty)
        c[5].append(vid(v.given))
        c[6].append(vid(v.family))
        c[7].append(vid(p.father))
        c[8].append(vid(p.mother))
        c[9].append(vid(p.place))
        b = p.birth
        if b is None:
            c[10].append(None)
            c[11].append(None)
            c[12].append(None)
        else:
            c[10].append(b.lo)
            c[11].append(b.hi)
            c[12].append(b.day)
        c[13].append(p.gender)
        w.maybe_flush()

    def close(self) -> None:
        for w in self._tables.values():
            w.close()
        self._vocab.close()

    def load(self, engine: Any, name: str, table: str) -> None:
        """Create ``table`` (the wide feature table) from the rows of ``name``."""
        engine.load_parquet("kl_vocab", self.workdir / "vocab.parquet", replace=False)
        raw = f"kl_raw_{name}"
        engine.load_parquet(raw, self.workdir / f"{name}_rows.parquet")
        engine.create(table, expand_sql(raw))
        engine.drop(raw)


def expand_sql(raw: str, vocab: str = "kl_vocab") -> str:
    """SQL turning a row table of vocabulary ids into the wide feature table."""
    cols = ["r.unique_id", "r.source_dataset", "r.grp", "r.vidx", "r.penalty"]
    joins = []
    for p in COLUMN_PREFIX.values():
        cols += [
            f"{p}.norm AS {p}_norm",
            f"{p}.script AS {p}_script",
            f"{p}.roman AS {p}_roman",
            f"CASE WHEN {p}.script = '{ARABIC_SCRIPT}' THEN {p}.norm ELSE {p}.roman END"
            f" AS {p}_spell",
            f"{p}.skel AS {p}_skel",
            f"{p}.nick AS {p}_nick",
            f"{p}.codes AS {p}_codes",
            f"{p}.loose AS {p}_loose",
            f"{p}.tf AS {p}_tf",
            f"{p}.onset AS {p}_onset",
            f"{p}.tail AS {p}_tail",
            *(f"{p}.tf AS {tf_column(p, level)}" for level in TF_SUFFIX),
        ]
        joins.append(f"LEFT JOIN {vocab} {p} ON {p}.vid = r.{p}_id")
    cols += ["r.birth_lo", "r.birth_hi", "r.birth_day", "r.gender"]
    return f"SELECT {', '.join(cols)} FROM {raw} r {' '.join(joins)}"  # noqa: S608
