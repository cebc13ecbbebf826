"""The in-memory match index for interactive search.

Memory layout (about 1M persons in well under 3 GB):

- a *vocabulary* of distinct name/place strings -> integer id, with the features of each
  distinct value computed once (:class:`~kinlink.matching.features.NameFeat`);
- per person: father, mother, place (vocabulary ids), birth range and day, gender, in
  growable numpy arrays indexed by an integer slot;
- per *row* (a person's name, or one of their aliases): slot, given and family name ids;
- an inverted index ``key -> row ids`` (an ``int`` for a single row, ``array('i')``
  otherwise), keys from :mod:`kinlink.matching.keys`.

A search gathers candidate rows by the votes of its keys (capped), then scores all of
them at once with numpy: a field's comparison level depends only on the two values, so
it is computed once per *distinct* value among the candidates (a thousand "Mohammad
Hosseini" candidates share one given-name and one family-name comparison) and spread
over the rows.  Only the top candidates get a written explanation.

Adding a person appends to the arrays and postings (no rebuild); removing one marks its
slot dead (postings are cleaned by :meth:`MatchIndex.compact`, run automatically when a
quarter of the rows are dead).
"""

from __future__ import annotations

import gc
import threading
from array import array
from collections.abc import Iterable
from typing import Any

import numpy as np
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.process import cdist

from .explain import explain_levels
from .features import (
    ARABIC_SCRIPT,
    BIRTH_LEVELS,
    FAINT_MAX_EDITS,
    FAINT_MIN_LEN,
    JW_CLOSE,
    JW_VARIANT,
    NAME_LEVELS,
    PART_MIN,
    PLACE_LEVELS,
    TF_LEVELS,
    BirthFeat,
    NameFeat,
)
from .keys import (
    CandidatePolicy,
    NameVariant,
    PreparedRecord,
    prepare,
    request_key_variants,
    row_keys,
)
from .model import ModelParams, TermFrequencies
from .records import PersonRecord
from .search import Candidate, PairScore, score_prepared

__all__ = ["MatchIndex", "Searcher"]

_NO_YEAR = -1
_GENDER_CODE = {None: 0, "M": 1, "F": 2}
_GENDER_OF = {0: None, 1: "M", 2: "F"}


class _Col:
    """A growable numpy column."""

    __slots__ = ("data", "n")

    def __init__(self, dtype: Any, fill: int, cap: int = 1024) -> None:
        self.data = np.full(cap, fill, dtype=dtype)
        self.n = 0

    def append(self, value: int) -> None:
        if self.n == len(self.data):
            self.data = np.concatenate([self.data, np.empty_like(self.data)])
        self.data[self.n] = value
        self.n += 1

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.n]


class _Vocab:
    """Distinct name/place values with integer codes of their features, so that the
    comparison levels of one query value against many values are numpy operations."""

    __slots__ = (
        "code_post",
        "codes",
        "feats",
        "ids",
        "loose_post",
        "nick_post",
        "norm",
        "norms",
        "onset",
        "roman",
        "romans",
        "script",
        "skel",
        "skels",
        "tail",
        "tfkey",
    )

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.feats: list[NameFeat] = []
        self.romans = _Col(object, "")  # romanised text per value ("" when none)
        self.norms = _Col(object, "")  # normalised text per value
        self.skels = _Col(object, "")  # skeleton per value ("" when none)
        self.nick_post: dict[str, array] = {}  # nickname/token skeleton -> value ids
        self.code_post: dict[str, array] = {}  # strict code -> value ids
        self.loose_post: dict[str, array] = {}  # onset-tagged loose skeleton -> value ids
        self.codes: dict[str, dict[str, int]] = {
            "norm": {},
            "roman": {},
            "skel": {},
            "script": {},
            "tfkey": {},
            "tail": {},
        }
        self.norm = _Col(np.int32, -1)
        self.roman = _Col(np.int32, -1)
        self.skel = _Col(np.int32, -1)
        self.script = _Col(np.int32, -1)
        self.tfkey = _Col(np.int32, -1)
        self.onset = _Col(np.int8, 0)  # 0 unknown, 1 vowel, 2 consonant
        self.tail = _Col(np.int32, -1)  # code of NameFeat.tail, -1 for none

    def _code(self, kind: str, value: str | None, *, create: bool) -> int:
        if value is None:
            return -1
        table = self.codes[kind]
        c = table.get(value)
        if c is None:
            if not create:
                return -2  # never equal to a stored code
            c = len(table)
            table[value] = c
        return c

    def vid(self, feat: NameFeat | None) -> int:
        if feat is None:
            return -1
        vid = self.ids.get(feat.text)
        if vid is None:
            vid = len(self.feats)
            self.ids[feat.text] = vid
            self.feats.append(feat)
            self.romans.append(feat.roman or "")
            self.norms.append(feat.norm)
            self.skels.append(feat.skel or "")
            _file(self.nick_post, feat.nick, vid)
            _file(self.code_post, feat.codes, vid)
            _file(self.loose_post, feat.loose, vid)
            self.norm.append(self._code("norm", feat.norm, create=True))
            self.roman.append(self._code("roman", feat.roman, create=True))
            self.skel.append(self._code("skel", feat.skel, create=True))
            self.script.append(self._code("script", feat.script, create=True))
            self.tfkey.append(self._code("tfkey", feat.tfkey, create=True))
            self.onset.append(_ONSET_CODE[feat.onset])
            self.tail.append(self._code("tail", feat.tail or None, create=True))
        return vid

    def query_codes(self, q: NameFeat) -> tuple[int, int, int, int]:
        return (
            self._code("norm", q.norm, create=False),
            self._code("roman", q.roman, create=False),
            self._code("skel", q.skel, create=False),
            self._code("script", q.script, create=True),
        )


def _file(posts: dict[str, array], keys: Iterable[str], vid: int) -> None:
    for k in keys:
        post = posts.get(k)
        if post is None:
            posts[k] = array("i", (vid,))
        else:
            post.append(vid)


def _sharing(posts: dict[str, array], keys: Iterable[str], ids: np.ndarray) -> np.ndarray:
    """Which of the value ids ``ids`` are filed under any of ``keys``."""
    found = [posts[k] for k in keys if k in posts]
    if not found:
        return np.zeros(len(ids), dtype=bool)
    return np.isin(ids, np.concatenate([np.frombuffer(p, dtype=np.int32) for p in found]))


_LEVEL_CODE = {lvl: i for i, lvl in enumerate(NAME_LEVELS)}
_ONSET_CODE = {"": 0, "v": 1, "c": 2}


def _is_part_vec(q: str, skels: np.ndarray) -> np.ndarray:
    """features.is_part of one skeleton against many (object array, "" for none)."""
    s = skels.astype(str)
    lens = np.char.str_len(s)
    n = len(q)
    q_short = (n >= PART_MIN) & (lens > n)
    q_short &= np.char.startswith(s, q) | np.char.endswith(s, q)
    s_short = (lens >= PART_MIN) & (lens < n)
    if s_short.any():
        idx = np.flatnonzero(s_short)
        sub = s[idx]
        ok = np.array([q.startswith(x) or q.endswith(x) for x in sub.tolist()], dtype=bool)
        s_short[idx] = ok
    return q_short | s_short


class MatchIndex:
    """Registry persons indexed for interactive search.

    >>> index = MatchIndex()
    >>> index.add_many(records)            # doctest: +SKIP
    >>> index.search(request, top_k=10)    # doctest: +SKIP

    Thread-safe (one lock); ``add``/``remove`` while searching from other threads is fine.
    """

    def __init__(
        self,
        params: ModelParams | None = None,
        policy: CandidatePolicy | None = None,
    ) -> None:
        self.params = params or ModelParams.default()
        self.policy = policy or CandidatePolicy()
        self._key_weights = np.array(self.policy.weights(), dtype=np.int64)
        self._lock = threading.RLock()
        self._vocab = _Vocab()
        # per person slot
        self._ids: list[Any] = []
        self._slot_of: dict[Any, int] = {}
        self._rows_of: dict[int, tuple[int, ...]] = {}  # only for persons with aliases
        self._variants_of: dict[int, tuple[NameVariant, ...]] = {}
        self._father = _Col(np.int32, -1)
        self._mother = _Col(np.int32, -1)
        self._place = _Col(np.int32, -1)
        self._blo = _Col(np.int16, _NO_YEAR)
        self._bhi = _Col(np.int16, _NO_YEAR)
        self._bday = _Col(np.int32, 0)
        self._gender = _Col(np.int8, 0)
        self._alive = _Col(np.bool_, 0)
        self._row0 = _Col(np.int32, -1)
        # per row
        self._slot = _Col(np.int32, -1)
        self._given = _Col(np.int32, -1)
        self._family = _Col(np.int32, -1)
        self._postings: dict[str, int | array] = {}
        self.tf = TermFrequencies()
        self._tfc: dict[str, _Col] = {f: _Col(np.int64, 0) for f in self.tf.totals}
        self._n_alive = 0
        self._dead_rows = 0

    # -- size ------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._n_alive

    def __contains__(self, person_id: object) -> bool:
        return person_id in self._slot_of

    @property
    def n_rows(self) -> int:
        return self._slot.n

    @property
    def n_keys(self) -> int:
        return len(self._postings)

    # -- vocabulary --------------------------------------------------------------------
    def _vid(self, feat: NameFeat | None) -> int:
        return self._vocab.vid(feat)

    def _feat(self, vid: int) -> NameFeat | None:
        return self._vocab.feats[vid] if vid >= 0 else None

    # -- updates -----------------------------------------------------------------------
    def add(self, record: PersonRecord) -> None:
        """Add a person, or replace the one with the same id."""
        p = prepare(record)
        with self._lock:
            if p.id in self._slot_of:
                self._remove_locked(p.id)
            self._add_prepared(p)
            self._maybe_compact()

    def add_many(self, records: Iterable[PersonRecord]) -> int:
        """Add (or replace) many persons; returns how many were added."""
        n = 0
        was_enabled = gc.isenabled()
        gc.disable()  # millions of small objects: the cyclic GC would rescan them all
        try:
            with self._lock:
                for record in records:
                    p = prepare(record)
                    if p.id in self._slot_of:
                        self._remove_locked(p.id)
                    self._add_prepared(p)
                    n += 1
                self._maybe_compact()
        finally:
            if was_enabled:
                gc.enable()
        return n

    update = add

    def remove(self, person_id: Any) -> bool:
        """Remove a person; returns False when the id is not in the index."""
        with self._lock:
            if person_id not in self._slot_of:
                return False
            self._remove_locked(person_id)
            self._maybe_compact()
            return True

    def _add_prepared(self, p: PreparedRecord) -> None:
        slot = len(self._ids)
        self._ids.append(p.id)
        self._slot_of[p.id] = slot
        self._father.append(self._vid(p.father))
        self._mother.append(self._vid(p.mother))
        self._place.append(self._vid(p.place))
        if p.birth is None:
            self._blo.append(_NO_YEAR)
            self._bhi.append(_NO_YEAR)
            self._bday.append(0)
        else:
            self._blo.append(p.birth.lo)
            self._bhi.append(p.birth.hi)
            self._bday.append(p.birth.day or 0)
        self._gender.append(_GENDER_CODE[p.gender])
        self._alive.append(1)
        self._row0.append(self._slot.n)
        rows = []
        for v in p.variants:
            row = self._slot.n
            rows.append(row)
            self._slot.append(slot)
            self._given.append(self._vid(v.given))
            self._family.append(self._vid(v.family))
            postings = self._postings
            for key in row_keys(p, v):
                cur = postings.get(key)
                if cur is None:
                    postings[key] = row
                elif isinstance(cur, int):
                    postings[key] = array("i", (cur, row))
                else:
                    cur.append(row)
        if len(rows) > 1:
            self._rows_of[slot] = tuple(rows)
            self._variants_of[slot] = p.variants
        self._count_tf(p, +1)
        self._n_alive += 1

    def _count_tf(self, p: PreparedRecord, delta: int) -> None:
        main = p.variants[0]
        tf = self.tf
        for fld, feat in (
            ("given_name", main.given),
            ("family_name", main.family),
            ("father_name", p.father),
            ("mother_name", p.mother),
            ("birth_place", p.place),
        ):
            if feat is not None:
                tf.add(fld, feat.tfkey, delta)
                col = self._tfc[fld]
                code = self._vocab.tfkey.data[self._vocab.vid(feat)]
                while col.n <= code:
                    col.append(0)
                col.data[code] += delta

    def _prepared_of_slot(self, slot: int) -> PreparedRecord:
        variants = self._variants_of.get(slot)
        if variants is None:
            row = self._first_row(slot)
            variants = (
                NameVariant(
                    self._feat(int(self._given.data[row])),
                    self._feat(int(self._family.data[row])),
                    "name",
                ),
            )
        blo = int(self._blo.data[slot])
        birth = (
            None
            if blo == _NO_YEAR
            else BirthFeat(blo, int(self._bhi.data[slot]), int(self._bday.data[slot]) or None)
        )
        return PreparedRecord(
            id=self._ids[slot],
            variants=variants,
            father=self._feat(int(self._father.data[slot])),
            mother=self._feat(int(self._mother.data[slot])),
            place=self._feat(int(self._place.data[slot])),
            birth=birth,
            gender=_GENDER_OF[int(self._gender.data[slot])],
        )

    def _first_row(self, slot: int) -> int:
        return int(self._row0.data[slot])

    def _remove_locked(self, person_id: Any) -> None:
        slot = self._slot_of.pop(person_id)
        p = self._prepared_of_slot(slot)
        self._count_tf(p, -1)
        self._alive.data[slot] = False
        self._ids[slot] = None
        self._dead_rows += len(self._rows_of.pop(slot, (0,)))
        self._variants_of.pop(slot, None)
        self._n_alive -= 1

    def _maybe_compact(self) -> None:
        if self._dead_rows > 1000 and self._dead_rows * 4 > self._slot.n:
            self.compact()

    def compact(self) -> None:
        """Drop removed persons' rows from the postings (O(index size))."""
        with self._lock:
            if not self._dead_rows:
                return
            alive_rows = self._alive.view[self._slot.view]
            new_postings: dict[str, int | array] = {}
            for key, cur in self._postings.items():
                if isinstance(cur, int):
                    if alive_rows[cur]:
                        new_postings[key] = cur
                    continue
                arr = np.frombuffer(cur, dtype=np.int32)
                kept = arr[alive_rows[arr]]
                del arr
                if len(kept) == 1:
                    new_postings[key] = int(kept[0])
                elif len(kept) > 1:
                    new_postings[key] = array("i", kept.tobytes())
            self._postings = new_postings
            self._dead_rows = 0

    # -- search --------------------------------------------------------------------------
    def candidate_rows(self, keys: Iterable[str] | dict[str, int]) -> np.ndarray:
        """Row ids of the candidates for these request keys (see CandidatePolicy)."""
        masks = keys if isinstance(keys, dict) else dict.fromkeys(keys, 1)
        return self._candidates(masks)[0]

    def _candidates(self, key_masks: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, reading mask per row): the rows with most votes (CandidatePolicy)."""
        postings = self._postings
        policy = self.policy
        weights = self._key_weights
        smallest: tuple[int, str] | None = None
        rows_parts = []
        vote_parts = []
        mask_parts = []
        for k, mask in key_masks.items():
            cur = postings.get(k)
            if cur is None:
                continue
            n = 1 if isinstance(cur, int) else len(cur)
            if smallest is None or (n, k) < smallest:
                smallest = (n, k)
            if not policy.votes(k, n):
                continue
            rows_parts.append(
                np.array([cur], dtype=np.int32)
                if isinstance(cur, int)
                else np.frombuffer(cur, dtype=np.int32)
            )
            vote_parts.append(np.full(n, weights[n], dtype=np.int64))
            mask_parts.append(np.full(n, mask, dtype=np.int32))
        empty = np.empty(0, dtype=np.int32)
        if smallest is None:
            return empty, empty
        if not rows_parts:
            cur = postings[smallest[1]]
            arr = (
                np.array([cur], dtype=np.int32)
                if isinstance(cur, int)
                else np.sort(np.frombuffer(cur, dtype=np.int32))[: policy.cap]
            )
            return arr, np.full(len(arr), key_masks[smallest[1]], dtype=np.int32)
        rows = np.concatenate(rows_parts)
        votes = np.concatenate(vote_parts)
        masks = np.concatenate(mask_parts)
        order = np.argsort(rows, kind="stable")
        rows, votes, masks = rows[order], votes[order], masks[order]
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        rows = rows[starts]
        votes = np.add.reduceat(votes, starts)
        masks = np.bitwise_or.reduceat(masks, starts)
        if len(rows) > policy.cap:
            keep = np.lexsort((rows, -votes))[: policy.cap]
            keep.sort()
            rows, masks = rows[keep], masks[keep]
        return rows, masks

    def _name_weights(
        self,
        fld: str,
        q: NameFeat | None,
        ids: np.ndarray,
        *,
        place: bool = False,
    ) -> np.ndarray:
        """Weights of one query value against the values ``ids`` (vocabulary ids).

        The same rules as :func:`kinlink.matching.features.name_level`, applied to the
        distinct values at once (integer feature codes, rapidfuzz's ``cdist``)."""
        if q is None:
            return np.zeros(len(ids), dtype=np.float64)
        uniq, inv = np.unique(ids, return_inverse=True)
        present = uniq >= 0
        u = uniq[present]
        voc = self._vocab
        q_norm, q_roman, q_skel, q_script = voc.query_codes(q)
        norm_eq = voc.norm.data[u] == q_norm
        roman_eq = (voc.roman.data[u] == q_roman) & (q_roman >= 0)
        skel_eq = (voc.skel.data[u] == q_skel) & (q_skel >= 0)
        q_onset = _ONSET_CODE[q.onset]
        if q_onset:
            on = voc.onset.data[u]
            skel_eq &= (on == 0) | (on == q_onset)
        code_eq = _sharing(voc.code_post, q.codes, u)
        other = (voc.script.data[u] != q_script) & (roman_eq | code_eq) & ~norm_eq
        level = np.full(len(u), _LEVEL_CODE["different"], dtype=np.int8)
        level[norm_eq] = _LEVEL_CODE["exact"]
        level[other] = _LEVEL_CODE["other_script"]
        rest = np.flatnonzero(~norm_eq & ~other)
        if len(rest):
            level[rest[skel_eq[rest]]] = _LEVEL_CODE["variant"]
            need = rest[~skel_eq[rest]]
            jw, part = self._jaro_winkler(q, u[need])
            variant = (jw >= JW_VARIANT) & ~part
            if q.tail:
                tails = voc.tail.data[u[need]]
                variant &= (tails < 0) | (tails == voc._code("tail", q.tail, create=False))
            level[need[variant]] = _LEVEL_CODE["variant"]
            low = ~variant
            loose = low & _sharing(voc.loose_post, q.loose, u[need])
            level[need[loose]] = _LEVEL_CODE["loose"]
            low &= ~loose
            if not place:
                low_pos = np.flatnonzero(low)
                cand = u[need[low_pos]]
                hit = _sharing(voc.nick_post, q.nick, cand)
                if q.skel and len(q.skel) >= 2:
                    skels = voc.skels.data[cand]
                    hit |= _is_part_vec(q.skel, skels)
                level[need[low_pos[hit]]] = _LEVEL_CODE["nickname"]
                low[low_pos[hit]] = False
            close = low & (jw >= JW_CLOSE)
            level[need[close]] = _LEVEL_CODE["close"]
            if not place and q.skel:
                below = np.flatnonzero(low & ~close)
                level[need[below[self._faint(q.skel, u[need[below]])]]] = _LEVEL_CODE["faint"]
        w = self._level_weights(fld, q, u, level, place)
        out = np.zeros(len(uniq), dtype=np.float64)
        out[present] = w
        return out[inv]

    def _faint(self, q_skel: str, ids: np.ndarray) -> np.ndarray:
        """features.faint of a query skeleton against the values ``ids``."""
        if not len(ids):
            return np.zeros(0, dtype=bool)
        skels = self._vocab.skels.data[ids]
        dist = cdist(
            [q_skel],
            skels,
            scorer=Levenshtein.distance,
            dtype=np.int32,
            score_cutoff=FAINT_MAX_EDITS,
        )[0]
        lens = np.char.str_len(skels.astype(str))
        long_enough = np.maximum(lens, len(q_skel)) >= FAINT_MIN_LEN
        return (lens > 0) & long_enough & (dist > 0) & (dist <= FAINT_MAX_EDITS)

    def _jaro_winkler(self, q: NameFeat, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """features.NameFeat.jw of a query value against the values ``ids``, and whether
        one's spelled form begins or ends the other's (features.is_part)."""
        voc = self._vocab
        jw = np.zeros(len(ids), dtype=np.float64)
        part = np.zeros(len(ids), dtype=bool)
        if not len(ids):
            return jw, part
        romans = voc.romans.data[ids]
        both_script = np.zeros(len(ids), dtype=bool)
        if q.script == ARABIC_SCRIPT:
            both_script = voc.script.data[ids] == voc.codes["script"].get(ARABIC_SCRIPT, -2)
            if both_script.any():
                norms = voc.norms.data[ids[both_script]]
                jw[both_script] = cdist(
                    [q.norm], norms, scorer=JaroWinkler.similarity, dtype=np.float64
                )[0]
                part[both_script] = _is_part_vec(q.norm, norms)
        if q.roman:
            latin = ~both_script & (romans != "")
            if latin.any():
                jw[latin] = cdist(
                    [q.roman], romans[latin], scorer=JaroWinkler.similarity, dtype=np.float64
                )[0]
                part[latin] = _is_part_vec(q.roman, romans[latin])
        return jw, part

    def _level_weights(
        self, fld: str, q: NameFeat, u: np.ndarray, level: np.ndarray, place: bool
    ) -> np.ndarray:
        params = self.params
        names = PLACE_LEVELS if place else NAME_LEVELS
        table = np.array(
            [params.weights[fld].get(lvl, 0.0) for lvl in NAME_LEVELS], dtype=np.float64
        )
        w = table[level]
        # term-frequency adjustment (see ModelParams.level_weight)
        total = self.tf.totals[fld]
        tf_q = self.tf.tf(fld, q.tfkey)
        codes = self._vocab.tfkey.data[u]
        col = self._tfc[fld]
        counts = np.zeros(len(u), dtype=np.float64)
        known = codes < col.n
        counts[known] = col.data[codes[known]]
        tf_r = counts / total if total else counts
        has_r = counts > 0
        if tf_q is None:
            tf = np.where(has_r, tf_r, np.nan)
        else:
            tf = np.where(has_r, np.maximum(tf_r, tf_q), tf_q)
        for lvl in TF_LEVELS:
            if lvl not in names:
                continue
            sel = (level == _LEVEL_CODE[lvl]) & ~np.isnan(tf)
            if sel.any():
                scaled = np.maximum(tf[sel] * params.tf_scale[fld][lvl], params.tf_min)
                w[sel] = params.log2m[fld][lvl] - np.log2(scaled)
        return w

    def _birth_weights(self, q: BirthFeat | None, slots: np.ndarray) -> np.ndarray:
        if q is None:
            return np.zeros(len(slots), dtype=np.float64)
        lo = self._blo.data[slots].astype(np.int32)
        hi = self._bhi.data[slots].astype(np.int32)
        day = self._bday.data[slots]
        missing = lo == _NO_YEAR
        gap = np.maximum(np.maximum(lo - q.hi, q.lo - hi), 0)
        both_days = (day != 0) & (q.day is not None)
        same_day = both_days & (day == (q.day or -1))
        conds = [
            missing,
            same_day,
            both_days & (gap == 0),
            gap == 0,
            gap <= 1,
            gap <= 3,
            gap <= 6,
        ]
        table = self.params.weights["birth"]
        choices = [0.0] + [table[lvl] for lvl in BIRTH_LEVELS[:-1]]
        return np.select(conds, choices, default=table[BIRTH_LEVELS[-1]])

    def _gender_weights(self, q: str | None, slots: np.ndarray) -> np.ndarray:
        if q is None:
            return np.zeros(len(slots), dtype=np.float64)
        g = self._gender.data[slots]
        table = self.params.weights["gender"]
        code = _GENDER_CODE[q]
        return np.where(g == 0, 0.0, np.where(g == code, table["same"], table["different"]))

    def search(
        self,
        request: PersonRecord,
        *,
        top_k: int = 10,
        min_score: float = 0.0,
    ) -> list[Candidate]:
        """Ranked candidates for a request, best first (at most ``top_k``)."""
        q = prepare(request, as_request=True)
        with self._lock:
            rows, masks = self._candidates(request_key_variants(q))
            if rows.size:
                alive = self._alive.data[self._slot.data[rows]]
                rows, masks = rows[alive], masks[alive]
            if rows.size == 0:
                return []
            weights, best_variant = self._score_rows(q, rows, masks)
            slots = self._slot.data[rows]
            order = np.argsort(-weights, kind="stable")
            _, first = np.unique(slots[order], return_index=True)
            best_rows_idx = order[first]
            # rank persons by weight, ties by row order
            person_w = weights[best_rows_idx]
            rank = np.lexsort((rows[best_rows_idx], -person_w))
            best_rows_idx = best_rows_idx[rank]
            person_w = person_w[rank]
            a, b = self.params.log2_prior(max(self._n_alive, 1))
            top = max(float(person_w[0]) + a, b)
            terms = np.exp2(person_w + a - top)
            denom = 2.0 ** (b - top) + float(terms.sum())
            probs = terms / denom
            pair = 1.0 / (1.0 + np.exp2(np.minimum(b - (person_w + a), 1000.0)))
            out: list[Candidate] = []
            for i in range(len(best_rows_idx)):
                if len(out) >= top_k:
                    break
                score = self.params.calibrate(float(probs[i]))
                if score < min_score:
                    continue
                row = int(rows[best_rows_idx[i]])
                slot = int(self._slot.data[row])
                rec = self._prepared_of_slot(slot)
                s = self._explain_pair(q, rec, row, slot, int(best_variant[best_rows_idx[i]]))
                text, ev = explain_levels(s.levels, s.weights, q, s.variant, rec, s.record_variant)
                out.append(
                    Candidate(
                        self._ids[slot],
                        len(out) + 1,
                        score,
                        float(pair[i]),
                        round(float(person_w[i]), 6),
                        text,
                        ev,
                    )
                )
            return out

    def _explain_pair(
        self, q: PreparedRecord, rec: PreparedRecord, row: int, slot: int, vi: int
    ) -> PairScore:
        rows = self._rows_of.get(slot, (row,))
        rv = rec.variants[rows.index(row)] if row in rows else rec.variants[0]
        only = PreparedRecord(
            rec.id, (rv,), rec.father, rec.mother, rec.place, rec.birth, rec.gender
        )
        q_only = PreparedRecord(
            q.id, (q.variants[vi],), q.father, q.mother, q.place, q.birth, q.gender
        )
        return score_prepared(self.params, self.tf, q_only, only)

    def _score_rows(
        self, q: PreparedRecord, rows: np.ndarray, masks: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        slots = self._slot.data[rows]
        base = (
            self._name_weights("father_name", q.father, self._father.data[slots])
            + self._name_weights("mother_name", q.mother, self._mother.data[slots])
            + self._name_weights("birth_place", q.place, self._place.data[slots], place=True)
            + self._birth_weights(q.birth, slots)
            + self._gender_weights(q.gender, slots)
        )
        given_ids = self._given.data[rows]
        family_ids = self._family.data[rows]
        best = np.full(len(rows), -np.inf)
        best_v = np.zeros(len(rows), dtype=np.int8)
        for vi, v in enumerate(q.variants):
            reached = None if masks is None else (masks & (1 << vi)) != 0
            if reached is not None and not reached.any():
                continue
            pen = self.params.swap_penalty if v.kind == "swapped" else self.params.normal_penalty
            w = (
                self._name_weights("given_name", v.given, given_ids)
                + self._name_weights("family_name", v.family, family_ids)
                + pen
            )
            if reached is not None:
                w = np.where(reached, w, -np.inf)
            better = w > best
            best = np.where(better, w, best)
            best_v = np.where(better, vi, best_v)
        return base + best, best_v

    # -- helpers for tests and the bench ---------------------------------------------
    def record(self, person_id: Any) -> PreparedRecord:
        """The prepared features stored for a person."""
        with self._lock:
            return self._prepared_of_slot(self._slot_of[person_id])

    def levels_for(self, request: PersonRecord, person_id: Any) -> dict[str, str]:
        q = prepare(request, as_request=True)
        return score_prepared(self.params, self.tf, q, self.record(person_id)).levels


Searcher = MatchIndex
