"""kinlink.matching: find the sought person across Persian, Arabic and Latin spellings.

Pure Python (no Django).  See docs/matching.md.

Interactive search::

    from kinlink.matching import MatchIndex, MatchRequest, PersonRecord
    index = MatchIndex()              # default model parameters
    index.add_many(records)           # PersonRecord objects; add/remove/update later
    for c in index.search(MatchRequest("q1", "Husain", "Mousavi", father_name="Reza")):
        print(c.person_id, c.score, c.explanation)

Batch linkage (Splink on DuckDB, or Spark)::

    from kinlink.matching import link_batch
    results = link_batch(requests, registry, top_k=10, backend="duckdb")

``link_batch``, ``fit_model`` and the CSV helpers are imported on first use, so that
importing the package for interactive search does not load Splink or DuckDB.
"""

from __future__ import annotations

from typing import Any

from kinlink.calendars import ApproxDate, InvalidDate, parse_birth_date

from .index import MatchIndex, Searcher
from .keys import (
    CandidatePolicy,
    record_keys,
    record_tf_keys,
    request_key_variants,
    request_keys,
    select_candidates,
)
from .model import ModelParams, TermFrequencies
from .records import MatchRequest, PersonRecord, Registry, parse_gender
from .search import Candidate, MatchResult, rank_candidates, score_pair

__all__ = [
    "ApproxDate",
    "BatchStats",
    "Candidate",
    "CandidatePolicy",
    "InvalidDate",
    "MatchIndex",
    "MatchRequest",
    "MatchResult",
    "ModelParams",
    "PersonRecord",
    "Registry",
    "RowError",
    "Searcher",
    "TermFrequencies",
    "fit_model",
    "link_batch",
    "parse_birth_date",
    "parse_gender",
    "rank_candidates",
    "read_registry_csv",
    "read_requests_csv",
    "record_keys",
    "record_tf_keys",
    "request_key_variants",
    "request_keys",
    "score_pair",
    "select_candidates",
    "write_results_csv",
]

_LAZY = {
    "link_batch": ("batch", "link_batch"),
    "BatchStats": ("batch", "BatchStats"),
    "fit_model": ("train", "fit_model"),
    "read_requests_csv": ("csvio", "read_requests_csv"),
    "read_registry_csv": ("csvio", "read_registry_csv"),
    "write_results_csv": ("csvio", "write_results_csv"),
    "RowError": ("csvio", "RowError"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
