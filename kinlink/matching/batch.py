# ruff: noqa: S608  -- the SQL here is assembled from internal table names and numbers only
"""Batch linkage: many requests against the registry, with Splink on DuckDB or Spark.

1. Python computes the features of every name reading (:mod:`kinlink.names` via
   :mod:`kinlink.matching.features`) and the blocking keys of every registry row and
   request (:mod:`kinlink.matching.keys`), and writes them to Parquet files.
2. The SQL engine (DuckDB, or Spark) picks each request's candidates by the same votes
   of its keys as the interactive index (:class:`kinlink.matching.keys.CandidatePolicy`).
3. Splink scores the candidate pairs (``register_blocked_pairs_for_predict`` then
   ``predict``) with the engine's comparison levels and the model's m/u probabilities
   and term-frequency tables (:mod:`kinlink.matching.splink_model`).
4. SQL keeps each person's best reading, turns match weights into probabilities with
   the same prior and competition between candidates as the interactive index, and
   returns the top K per request; Python writes the explanations.

So the batch and the interactive search give the same candidates and scores for the
same registry (up to Jaro-Winkler implementation details on Spark).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .explain import explain_levels
from .features import FIELDS
from .keys import (
    CandidatePolicy,
    PreparedRecord,
    prepare,
    request_key_variants,
    row_keys,
    single_name,
)
from .model import ModelParams, TermFrequencies
from .records import PersonRecord
from .search import Candidate, MatchResult
from .splink_model import (
    COLUMN_PREFIX,
    TF_SUFFIX,
    build_settings,
    comparison_output_name,
    level_of_gamma,
    tf_column,
)
from .tables import FeatureTables, Writer

__all__ = ["BatchStats", "ProgressCallback", "link_batch"]

ProgressCallback = Callable[[str, int, int], None]

REQ = "kl_req"
REG = "kl_reg"


@dataclass
class BatchStats:
    """What a batch run did, for logs and the benchmark."""

    n_requests: int = 0
    n_registry: int = 0
    n_pairs: int = 0
    seconds: dict[str, float] | None = None


# -- SQL engines ------------------------------------------------------------------------


class _DuckEngine:
    name = "duckdb"
    key_id = "ROW_NUMBER() OVER ()"  # any distinct number per row
    materialized = "MATERIALIZED"

    def __init__(self, workdir: Path, memory_limit: str | None, threads: int | None) -> None:
        import duckdb

        self.con = duckdb.connect()
        tmp = workdir / "duckdb-tmp"
        tmp.mkdir(exist_ok=True)
        self._run(f"SET temp_directory = '{tmp}'")
        self._run("SET preserve_insertion_order = false")
        if memory_limit:
            self._run(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self._run(f"SET threads = {int(threads)}")

    def _run(self, sql: str) -> list[Any]:
        # fetch everything: DuckDB refuses new work while a result is unfinished
        return self.con.execute(sql).fetchall()

    def load_parquet(self, name: str, path: Path, *, replace: bool = True) -> None:
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
        self._run(f"{verb} {name} AS SELECT * FROM read_parquet('{path}')")

    def create(self, name: str, sql: str, *, materialize: bool = True) -> None:
        del materialize  # DuckDB: always a table (cheap, and read several times)
        self._run(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def create_from_parts(self, name: str, parts: Sequence[str]) -> None:
        """A table of the rows of several queries, run one after another (each with the
        whole memory limit: a UNION ALL would run them at once)."""
        self._run(f"CREATE OR REPLACE TABLE {name} AS {parts[0]}")
        for sql in parts[1:]:
            self._run(f"INSERT INTO {name} {sql}")

    def view(self, name: str, sql: str) -> None:
        self._run(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def drop(self, name: str) -> None:
        self._run(f"DROP TABLE IF EXISTS {name}")

    def scalar(self, sql: str) -> Any:
        return self._run(sql)[0][0]

    def fetch(self, sql: str) -> pa.Table:
        rel = self.con.sql(sql)
        if hasattr(rel, "to_arrow_table"):  # duckdb >= 2
            return rel.to_arrow_table()
        return rel.arrow()  # pragma: no cover

    def db_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def close(self) -> None:
        self.con.close()


class _SparkEngine:
    name = "spark"
    key_id = "monotonically_increasing_id()"  # any distinct number per row
    materialized = ""

    def __init__(self, workdir: Path, spark_master: str, spark_session: Any | None) -> None:
        self.owned = spark_session is None
        self.spark = spark_session or _start_spark(spark_master, workdir)
        self._views: list[str] = []
        self._persisted: list[Any] = []

    def load_parquet(self, name: str, path: Path, *, replace: bool = True) -> None:
        if not replace and name in self._views:
            return
        self.spark.read.parquet(str(path)).createOrReplaceTempView(name)
        self._views.append(name)

    def create(self, name: str, sql: str, *, materialize: bool = True) -> None:
        """A temp view; ``materialize`` persists it (one Spark job) for tables read
        several times, intermediate steps stay lazy and run as one plan."""
        df = self.spark.sql(sql)
        if materialize:
            df = df.persist()
            df.count()
            self._persisted.append(df)
        df.createOrReplaceTempView(name)
        self._views.append(name)

    def create_from_parts(self, name: str, parts: Sequence[str]) -> None:
        self.create(name, " UNION ALL ".join(f"({p})" for p in parts))

    def view(self, name: str, sql: str) -> None:
        self.spark.sql(sql).createOrReplaceTempView(name)
        self._views.append(name)

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def scalar(self, sql: str) -> Any:
        return self.spark.sql(sql).collect()[0][0]

    def fetch(self, sql: str) -> pa.Table:
        df = self.spark.sql(sql)
        if hasattr(df, "toArrow"):
            return df.toArrow()
        return pa.Table.from_pandas(df.toPandas(), preserve_index=False)  # pragma: no cover

    def db_api(self) -> Any:
        from splink import SparkAPI

        return SparkAPI(spark_session=self.spark)

    def close(self) -> None:
        for df in self._persisted:
            df.unpersist()
        for v in self._views:
            self.spark.catalog.dropTempView(v)
        if self.owned:
            self.spark.stop()


def _start_spark(master: str, workdir: Path) -> Any:
    """A SparkSession for Splink (jaro_winkler UDF jar, checkpoint dir, quiet UI)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    builder = (
        SparkSession.builder.master(master)
        .appName("kinlink-link")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.sql.warehouse.dir", str(workdir / "spark-warehouse"))
        .config("spark.driver.memory", os.environ.get("KINLINK_SPARK_DRIVER_MEMORY", "4g"))
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config(
            "spark.driver.host", "127.0.0.1"
        )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(str(workdir / "spark-checkpoints"))
    return spark


# -- the linkage ----------------------------------------------------------------------


class _RegistryView:
    """Prepared registry persons by slot, for the explanations of the top pairs.

    A list registry is prepared again on demand (features are cached per value), so
    a million prepared records need not stay in memory; any other iterable is kept.
    """

    def __init__(self, registry: Iterable[PersonRecord]) -> None:
        self.seq = registry if isinstance(registry, Sequence) else None
        self.kept: list[PreparedRecord] = []
        self.n = 0

    def keep(self, p: PreparedRecord) -> None:
        self.n += 1
        if self.seq is None:
            self.kept.append(p)

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, slot: int) -> PreparedRecord:
        if self.seq is not None:
            return prepare(self.seq[slot])
        return self.kept[slot]


def _prepare_registry(
    registry: Iterable[PersonRecord],
    ft: FeatureTables,
    progress: ProgressCallback | None,
    total: int | None,
) -> tuple[_RegistryView, TermFrequencies]:
    rows = ft.table("reg")
    keys = Writer(
        ft.workdir / "reg_keys.parquet", pa.schema([("key", pa.string()), ("rid", pa.int64())])
    )
    kkey, krid = keys.cols
    prepared = _RegistryView(registry)
    tf = TermFrequencies()
    seen: set[Any] = set()
    row = 0
    for slot, record in enumerate(registry):
        p = prepare(record)
        if p.id in seen:
            raise ValueError(f"registry: person id {p.id!r} appears twice")
        seen.add(p.id)
        prepared.keep(p)
        main = p.variants[0]
        for fld, feat in (
            ("given_name", main.given),
            ("family_name", main.family),
            ("father_name", p.father),
            ("mother_name", p.mother),
            ("birth_place", p.place),
        ):
            if feat is not None:
                tf.add(fld, feat.tfkey)
        for vi, v in enumerate(p.variants):
            ft.add_row(rows, row, REG, slot, vi, 0.0, p, v)
            for k in row_keys(p, v):
                kkey.append(k)
                krid.append(row)
            row += 1
        if len(kkey) >= 1_000_000:
            keys.flush()
            kkey, krid = keys.cols
        if progress and slot % 50_000 == 0:
            progress("registry features", slot, total or 0)
    keys.close()
    if progress:
        progress("registry features", len(prepared), total or len(prepared))
    return prepared, tf


def _prepare_requests(
    requests: Sequence[PersonRecord],
    params: ModelParams,
    policy: CandidatePolicy,
    ft: FeatureTables,
    progress: ProgressCallback | None,
) -> list[PreparedRecord]:
    rows = ft.table("req")
    keys = Writer(
        ft.workdir / "req_keys.parquet",
        pa.schema(
            [
                ("qid", pa.int64()),
                ("key", pa.string()),
                ("mask", pa.int64()),
                ("single", pa.bool_()),
            ]
        ),
    )
    prepared: list[PreparedRecord] = []
    uid = 0
    for qi, request in enumerate(requests):
        q = prepare(request, as_request=True)
        prepared.append(q)
        for vi, v in enumerate(q.variants):
            pen = params.swap_penalty if v.kind == "swapped" else params.normal_penalty
            ft.add_row(rows, uid, REQ, qi, vi, pen, q, v)
            uid += 1
        kq, kk, km, kv = keys.cols
        for k, mask in request_key_variants(q).items():
            kq.append(qi)
            kk.append(k)
            km.append(mask)
            kv.append(single_name(k))
        keys.maybe_flush()
        if progress and qi % 20_000 == 0:
            progress("request features", qi, len(requests))
    keys.close()
    if progress:
        progress("request features", len(requests), len(requests))
    return prepared


def _write_tf_tables(tf: TermFrequencies, params: ModelParams, workdir: Path) -> dict[str, Path]:
    """One lookup table per (field, same-name level): value -> tf * u_L / U_same."""
    out = {}
    for fld, pre in COLUMN_PREFIX.items():
        rows = tf.table(fld)
        keys = pa.array([k for k, _ in rows], pa.string())
        for level, scale in params.tf_scale[fld].items():
            col = tf_column(pre, level)
            table = pa.table(
                {col: keys, f"tf_{col}": pa.array([v * scale for _, v in rows], pa.float64())}
            )
            path = workdir / f"tf_{col}.parquet"
            pq.write_table(table, path)
            out[col] = path
    return out


#: Steps worth persisting on Spark (read more than once); the others stay lazy.
_MATERIALIZE = {"kl_post", "kl_votable", "kl_qkeys", "kl_pre", "kl_blocked", "kl_top"}
#: Requests whose candidates DuckDB selects in one statement (bounds its memory).
CANDIDATE_CHUNK = 2_500


def _write_policy_tables(policy: CandidatePolicy, workdir: Path) -> dict[str, Path]:
    """Lookup tables for the candidate SQL: a key's votes by posting size (the same
    integers as CandidatePolicy.weight) and the reading numbers 0..31."""
    weights = pa.table(
        {
            "n": pa.array(range(1, policy.max_posting + 1), pa.int64()),
            "w": pa.array(policy.weights()[1:], pa.int64()),
        }
    )
    readings = pa.table(
        {"vidx": pa.array(range(32), pa.int32()), "bit": pa.array([1 << i for i in range(32)])}
    )
    out = {"kl_weight": workdir / "weight.parquet", "kl_reading": workdir / "reading.parquet"}
    pq.write_table(weights, out["kl_weight"])
    pq.write_table(readings, out["kl_reading"])
    return out


def _candidate_sql(policy: CandidatePolicy, key_id: str) -> list[tuple[str, str]]:
    """(table, SQL) steps before the votes: posting sizes and a number per key (the
    votes join on numbers, not text), the postings small enough to vote, and each
    request key with its votes (NULL: too common to vote) and reading mask."""
    return [
        (
            "kl_post",
            f"""SELECT key, n, {key_id} AS kid
            FROM (SELECT key, COUNT(*) AS n FROM kl_reg_keys GROUP BY key) t""",
        ),
        (
            "kl_votable",
            f"""SELECT p.kid, r.rid FROM kl_reg_keys r JOIN kl_post p ON p.key = r.key
            WHERE p.n <= {int(policy.max_posting)}""",
        ),
        (
            "kl_qkeys",
            f"""
            SELECT q.qid, q.key, p.kid, q.mask, p.n,
                CASE WHEN q.single AND p.n > {int(policy.max_single_name)} THEN NULL
                ELSE w.w END AS w
            FROM kl_req_keys q
            JOIN kl_post p ON p.key = q.key
            LEFT JOIN kl_weight w ON w.n = p.n
            """,
        ),
    ]


def _votes_sql(cap: int, lo: int, hi: int, materialized: str = "MATERIALIZED") -> str:
    """Mirror of ``MatchIndex._candidates`` for requests lo <= qid < hi: the ``cap`` rows
    with most votes (ties: lower row id), with the OR of their keys' reading masks.

    Rather than number every voted row, it finds per request the vote total at which
    the ``cap``-th row falls (from a count of rows per total) and numbers only the rows
    tied at that total.  ``materialized``: the engine's word for a common table
    expression computed once ("" on Spark, which persists nothing by itself)."""
    return f"""
        WITH votes AS {materialized} (
            SELECT q.qid, k.rid, SUM(q.w) AS v, BIT_OR(q.mask) AS mask
            FROM kl_qkeys q JOIN kl_votable k ON k.kid = q.kid
            WHERE q.w IS NOT NULL AND q.qid >= {lo} AND q.qid < {hi}
            GROUP BY q.qid, k.rid
        ),
        cut AS (
            SELECT qid, v AS at, seen - c AS above FROM (
                SELECT qid, v, c, SUM(c) OVER (PARTITION BY qid ORDER BY v DESC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS seen
                FROM (SELECT qid, v, COUNT(*) AS c FROM votes GROUP BY qid, v) h
            ) t WHERE seen >= {cap} AND seen - c < {cap}
        )
        SELECT x.qid, x.rid, x.mask FROM votes x LEFT JOIN cut ON cut.qid = x.qid
        WHERE cut.at IS NULL OR x.v > cut.at
        UNION ALL
        SELECT qid, rid, mask FROM (
            SELECT x.qid, x.rid, x.mask, cut.above,
                ROW_NUMBER() OVER (PARTITION BY x.qid ORDER BY x.rid) AS rn
            FROM votes x JOIN cut ON cut.qid = x.qid AND x.v = cut.at
        ) t WHERE rn <= {cap} - above
        """


def _fallback_sql(cap: int) -> str:
    """Requests none of whose keys may vote: the first ``cap`` rows of the smallest
    posting (ties between postings: the key that sorts first)."""
    return f"""
        SELECT qid, rid, mask FROM (
            SELECT s.qid, k.rid, s.mask,
                ROW_NUMBER() OVER (PARTITION BY s.qid ORDER BY k.rid) AS rn2
            FROM (
                SELECT qid, key, mask FROM (
                    SELECT qid, key, mask, MAX(w) OVER (PARTITION BY qid) AS any_vote,
                        ROW_NUMBER() OVER (PARTITION BY qid ORDER BY n, key) AS rn
                    FROM kl_qkeys
                ) t WHERE rn = 1 AND any_vote IS NULL
            ) s JOIN kl_reg_keys k ON k.key = s.key
        ) t2 WHERE rn2 <= {cap}
        """


_BLOCKED_SQL = f"""
    SELECT '0' AS match_key,
        CONCAT('{REQ}-__-', CAST(v.unique_id AS STRING)) AS join_key_l,
        CONCAT('{REG}-__-', CAST(c.rid AS STRING)) AS join_key_r
    FROM kl_pre c
    JOIN kl_reading b ON (c.mask & b.bit) <> 0
    JOIN {REQ} v ON v.grp = c.qid AND v.vidx = b.vidx
    """


def _select_candidates(engine: Any, policy: CandidatePolicy, n_requests: int) -> int:
    """Create ``kl_pre`` (request, row, reading mask) and ``kl_blocked`` (the pairs for
    Splink); returns the number of pairs."""
    for name, sql in _candidate_sql(policy, engine.key_id):
        engine.create(name, sql, materialize=name in _MATERIALIZE)
    chunk = CANDIDATE_CHUNK if engine.name == "duckdb" else max(n_requests, 1)
    parts = [
        _votes_sql(policy.cap, lo, lo + chunk, engine.materialized)
        for lo in range(0, n_requests, chunk)
    ]
    engine.create_from_parts("kl_pre", [*parts, _fallback_sql(policy.cap)])
    engine.create("kl_blocked", _BLOCKED_SQL, materialize=True)
    return int(engine.scalar("SELECT COUNT(*) FROM kl_blocked"))


def _score_sql(
    pred: str, prior_bits: float, a: float, b: float, top_k: int, *, gammas: bool = False
) -> list[tuple[str, str]]:
    """Best reading per person, probabilities with competition, top K.  With
    ``gammas`` the predictions carry the comparison levels and they are kept."""
    g = "".join(f", gamma_{comparison_output_name(f)}" for f in FIELDS) if gammas else ""
    return [
        (
            "kl_best",
            f"""
            SELECT qid, slot, uid_l, rid, vidx_l, vidx_r, w{g} FROM (
                SELECT grp_l AS qid, grp_r AS slot, unique_id_l AS uid_l, unique_id_r AS rid,
                    vidx_l, vidx_r, match_weight - ({prior_bits!r}) + penalty_l AS w{g},
                    ROW_NUMBER() OVER (PARTITION BY grp_l, grp_r
                                       ORDER BY match_weight + penalty_l DESC,
                                                unique_id_r, vidx_l) AS rn
                FROM {pred}
            ) t WHERE rn = 1
            """,
        ),
        (
            "kl_top",
            f"""
            SELECT qid, slot, uid_l, rid, vidx_l, vidx_r, w, rnk, p{g} FROM (
                SELECT qid, slot, uid_l, rid, vidx_l, vidx_r, w, rnk{g},
                    POW(2.0, w + ({a!r}) - top)
                        / (POW(2.0, ({b!r}) - top) + SUM(POW(2.0, w + ({a!r}) - top))
                           OVER (PARTITION BY qid)) AS p
                FROM (
                    SELECT *,
                        GREATEST(MAX(w) OVER (PARTITION BY qid) + ({a!r}), {b!r}) AS top,
                        ROW_NUMBER() OVER (PARTITION BY qid ORDER BY w DESC, rid) AS rnk
                    FROM kl_best
                ) t
            ) t2 WHERE rnk <= {int(top_k)}
            """,
        ),
        (
            "kl_top_pairs",
            f"""
            SELECT '0' AS match_key,
                CONCAT('{REQ}-__-', CAST(uid_l AS STRING)) AS join_key_l,
                CONCAT('{REG}-__-', CAST(rid AS STRING)) AS join_key_r
            FROM kl_top
            """,
        ),
    ]


def link_batch(
    requests: Sequence[PersonRecord],
    registry: Iterable[PersonRecord],
    *,
    top_k: int = 10,
    threshold: float = 0.0,
    backend: str = "duckdb",
    params: ModelParams | None = None,
    policy: CandidatePolicy | None = None,
    spark_master: str = "local[2]",
    spark_session: Any | None = None,
    progress: ProgressCallback | None = None,
    memory_limit: str | None = "3GB",
    threads: int | None = None,
    workdir: str | Path | None = None,
    stats: BatchStats | None = None,
) -> list[MatchResult]:
    """Link every request against the registry; top ``top_k`` candidates each.

    Returns one :class:`MatchResult` per request, in request order, with candidates
    whose score is at least ``threshold``.  ``backend`` is ``"duckdb"`` (embedded,
    default) or ``"spark"`` (``spark_master`` such as ``local[2]`` or a cluster URL,
    or pass an existing ``spark_session``).  ``progress(stage, done, total)`` is called
    as the work advances.
    """
    if backend not in ("duckdb", "spark"):
        raise ValueError(f"backend must be 'duckdb' or 'spark', not {backend!r}")
    params = params or ModelParams.default()
    policy = policy or CandidatePolicy()
    requests = list(requests)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    own_dir = workdir is None
    wd = Path(tempfile.mkdtemp(prefix="kinlink-link-")) if own_dir else Path(workdir)  # type: ignore[arg-type]
    wd.mkdir(parents=True, exist_ok=True)
    engine: Any = None
    try:
        total = len(registry) if hasattr(registry, "__len__") else None  # type: ignore[arg-type]
        ft = FeatureTables(wd)
        reg_prepared, tf = _prepare_registry(registry, ft, progress, total)
        req_prepared = _prepare_requests(requests, params, policy, ft, progress)
        ft.close()
        tf_paths = _write_tf_tables(tf, params, wd)
        timings["features"] = time.perf_counter() - t0
        if not requests:
            return []
        if not reg_prepared:
            return [MatchResult(r.id, []) for r in requests]

        engine = (
            _DuckEngine(wd, memory_limit, threads)
            if backend == "duckdb"
            else _SparkEngine(wd, spark_master, spark_session)
        )
        t_load = time.perf_counter()
        ft.load(engine, "reg", REG)
        ft.load(engine, "req", REQ)
        for name in ("reg_keys", "req_keys"):
            engine.load_parquet(f"kl_{name}", wd / f"{name}.parquet")
        for col, path in tf_paths.items():
            engine.load_parquet(f"kl_tf_{col}", path)
        for name, path in _write_policy_tables(policy, wd).items():
            engine.load_parquet(name, path)
        t1 = time.perf_counter()
        timings["load"] = t1 - t_load
        if progress:
            progress("candidates", 0, len(requests))
        n_pairs = _select_candidates(engine, policy, len(requests))
        timings["candidates"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        if progress:
            progress("scoring", 0, n_pairs)
        # DuckDB: score all pairs lean, then the top K again for their comparison levels.
        # Spark: one pass keeping the levels (each Splink pass costs many Spark jobs).
        one_pass = engine.name == "spark"
        predictions = _splink_predict(engine, params, explain=one_pass)
        timings["splink_predict"] = time.perf_counter() - t2

        t3 = time.perf_counter()
        a, b = params.log2_prior(len(reg_prepared))
        prior_bits = _splink_prior_bits()
        for name, sql in _score_sql(predictions, prior_bits, a, b, top_k, gammas=one_pass):
            engine.create(name, sql, materialize=name in _MATERIALIZE)
        if one_pass:
            top = engine.fetch("SELECT * FROM kl_top ORDER BY qid, rnk")
        else:
            gammas = _splink_predict(engine, params, blocked="kl_top_pairs", explain=True)
            gamma_cols = ", ".join(f"g.gamma_{comparison_output_name(f)}" for f in FIELDS)
            top = engine.fetch(
                f"""SELECT t.*, {gamma_cols} FROM kl_top t JOIN {gammas} g
                    ON g.unique_id_l = t.uid_l AND g.unique_id_r = t.rid
                    ORDER BY t.qid, t.rnk"""
            )
        timings["ranking"] = time.perf_counter() - t3
        if progress:
            progress("scoring", n_pairs, n_pairs)

        t4 = time.perf_counter()
        results = _results(top, params, tf, requests, req_prepared, reg_prepared, threshold)
        timings["explanations"] = time.perf_counter() - t4
        timings["total"] = time.perf_counter() - t0
        if progress:
            progress("done", len(requests), len(requests))
        if stats is not None:
            stats.n_requests = len(requests)
            stats.n_registry = len(reg_prepared)
            stats.n_pairs = n_pairs
            stats.seconds = timings
        return results
    finally:
        if engine is not None:
            engine.close()
        if own_dir:
            shutil.rmtree(wd, ignore_errors=True)


_PRIOR = 1e-6


def _splink_prior_bits() -> float:
    import math

    return math.log2(_PRIOR / (1 - _PRIOR))


def _splink_predict(
    engine: Any, params: ModelParams, *, blocked: str = "kl_blocked", explain: bool = False
) -> str:
    """Score the pairs in table ``blocked`` with Splink; returns the predictions table.

    With ``explain`` the comparison levels (gamma columns) are kept; for the few top
    pairs only, since they bring every input column along.
    """
    from splink import Linker

    db_api = engine.db_api()
    req = db_api.register(REQ, table_name=f"{REQ}_in")
    reg = db_api.register(REG, table_name=f"{REG}_in")
    settings = build_settings(
        params,
        dialect=engine.name,
        probability_two_random_records_match=_PRIOR,
        retain_matching_columns=explain,
    )
    linker = Linker([req, reg], settings, log_level="WARNING")
    for pre in COLUMN_PREFIX.values():
        for level in TF_SUFFIX:
            col = tf_column(pre, level)
            tf_sdf = db_api.register(f"kl_tf_{col}", table_name=f"kl_tf_{col}_lookup")
            linker.table_management.register_term_frequency_lookup(tf_sdf, col)
    pairs = db_api.register(blocked, table_name=f"{blocked}_in")
    linker.table_management.register_blocked_pairs_for_predict(pairs)
    pred = linker.inference.predict(warning_mode="never")
    return pred.physical_name


def _results(
    top: pa.Table,
    params: ModelParams,
    tf: TermFrequencies,
    requests: Sequence[PersonRecord],
    req_prepared: list[PreparedRecord],
    reg_prepared: _RegistryView,
    threshold: float,
) -> list[MatchResult]:
    results = [MatchResult(r.id, []) for r in requests]
    cols = top.to_pydict()
    gamma_cols = {f: cols[f"gamma_{comparison_output_name(f)}"] for f in FIELDS}
    for i in range(top.num_rows):
        qi = int(cols["qid"][i])
        q = req_prepared[qi]
        rec = reg_prepared[int(cols["slot"][i])]
        qv = q.variants[int(cols["vidx_l"][i])]
        rv = rec.variants[int(cols["vidx_r"][i])]
        levels = {f: level_of_gamma(f, gamma_cols[f][i]) for f in FIELDS}
        weights = _field_weights(params, tf, levels, q, qv, rec, rv)
        score = params.calibrate(float(cols["p"][i]))
        if score < threshold:
            continue
        w = float(cols["w"][i])
        a, b = params.log2_prior(len(reg_prepared))
        pair = 1.0 / (1.0 + 2.0 ** min(b - (w + a), 1000.0))
        text, ev = explain_levels(levels, weights, q, qv, rec, rv)
        res = results[qi]
        res.candidates.append(
            Candidate(rec.id, len(res.candidates) + 1, score, pair, round(w, 6), text, ev)
        )
    return results


def _field_weights(
    params: ModelParams,
    tf: TermFrequencies,
    levels: dict[str, str],
    q: PreparedRecord,
    qv: Any,
    r: PreparedRecord,
    rv: Any,
) -> dict[str, float]:
    pairs = {
        "given_name": (qv.given, rv.given),
        "family_name": (qv.family, rv.family),
        "father_name": (q.father, r.father),
        "mother_name": (q.mother, r.mother),
        "birth_place": (q.place, r.place),
    }
    out = {}
    for f in FIELDS:
        if f in pairs:
            a, b = pairs[f]
            out[f] = params.level_weight(
                f,
                levels[f],
                tf.tf(f, a.tfkey if a else None),
                tf.tf(f, b.tfkey if b else None),
            )
        else:
            out[f] = params.level_weight(f, levels[f])
    return out
