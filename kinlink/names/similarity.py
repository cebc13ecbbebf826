"""Similarity of two names across scripts, and an explanation-ready comparison."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from .compounds import HONORIFICS, PREFIXES, name_parts
from .nicknames import is_nickname_pair
from .romanize import romanize_token
from .scripts import Script, detect_script
from .transliterate import LOOSE, code_variants

__all__ = ["NameComparison", "compare_names", "name_similarity", "token_similarity"]

_lev = Levenshtein.normalized_similarity
_ARABIC_D = str.maketrans({"ض": "د"})

# An unusual reading of a soft letter (the u of Hussein dropped as short) costs this much.
SOFT_PENALTY = 0.04
# Below this code similarity of the usual readings, other readings are not tried.
HOPELESS = 0.45
# Comparing loose codes (q/g/k/j, kh/h, sh/s, d/z merged) costs this much.
LOOSE_PENALTY = 0.1
# Weight of the phonetic code in a token score; the rest goes to a vowel-aware comparison.
CODE_WEIGHT = 0.6
# Between two Latin spellings the vowels are known, so the vowel-aware fold weighs more.
LATIN_CODE_WEIGHT = 0.4
# A compound given name against one of its halves (Reza / Mohammad Reza).
PARTIAL_FACTOR = 0.75
# A nickname against its formal name (Mamad / Mohammad).
NICKNAME_SCORE = 0.8
# Weight of a part present in one name only (Hossein / Hossein Ali), relative to a match.
UNMATCHED_WEIGHT = 0.5
# Thresholds for the kinds of a comparison.
SAME_THRESHOLD = 0.85

# --- vowel-aware Latin fold ------------------------------------------------------------------

_FOLD_UNITS = re.compile(
    r"sch|tch|kh|gh|sh|ch|zh|dj|dh|th|ph|ck|ou|oo|ow|uu|ee|ei|ey|ie|ii|ai|ay|ae(?!e)|aa|[a-z]"
)
_FOLD = {
    "sch": "S",
    "tch": "C",
    "kh": "X",
    "gh": "q",
    "sh": "S",
    "ch": "C",
    "zh": "j",
    "dj": "j",
    "dh": "z",
    "th": "s",
    "ph": "f",
    "ck": "k",
    "x": "X",
    "w": "v",
    "q": "q",
    "ou": "u",
    "oo": "u",
    "ow": "u",
    "uu": "u",
    "o": "u",
    "u": "u",
    "e": "i",
    "ee": "i",
    "ii": "i",
    "ie": "i",
    "i": "i",
    "ei": "E",
    "ey": "E",
    "ai": "E",
    "ay": "E",
    "ae": "E",
    "aa": "a",
}


@lru_cache(maxsize=1 << 18)
def _fold(token: str) -> str:
    """Latin spelling with vowels kept but spelling conventions folded (ou/oo/u/o → u...)."""
    units = _FOLD_UNITS.findall(token)
    if units and units[-1] == "h" and len(units) > 1:
        units.pop()
    out: list[str] = []
    for i, u in enumerate(units):
        if u == "c":
            nxt = units[i + 1] if i + 1 < len(units) else ""
            f = "s" if nxt[:1] in ("e", "i", "y") else "k"
        else:
            f = _FOLD.get(u, u)
        if out:
            p = out[-1]
            if p == f or (p == "E" and f == "i"):
                continue  # doubles, and Esmaeil's a-e-i read as one diphthong
            if p == "a" and f in ("i", "E"):
                out[-1] = "E"  # Rezai, Rezaee, Rezaei
                continue
        out.append(f)
    return "".join(out)


Profile = tuple[str, tuple[tuple[str, int], ...], str | None, str]


@lru_cache(maxsize=1 << 18)
def _profile(token: str) -> Profile:
    """(script 'l', 'a' or 'o'; code readings; vowel-aware Latin fold or None; loose code)."""
    p = _profile_base(token)
    return (*p, p[1][0][0].translate(LOOSE))


def _profile_base(token: str) -> tuple[str, tuple[tuple[str, int], ...], str | None]:
    if token.isascii():
        return "l", code_variants(token), _fold(token)
    if any("\u0600" <= ch <= "\u06ff" for ch in token):
        latin, known = romanize_token(token)
        variants = code_variants(token)
        alt = token.translate(_ARABIC_D)
        if alt != token:  # ض reads d in Arabic spellings (رضا: Reza, Rida)
            seen = dict(variants)
            for c, d in code_variants(alt):
                if c not in seen or seen[c] > d + 1:
                    seen[c] = d + 1
            variants = tuple(sorted(seen.items(), key=lambda kv: (kv[1], kv[0])))
        return "a", variants, (_fold(latin) if known else None)
    return "o", (("", 0),), None


def _variant_similarity(va: tuple[tuple[str, int], ...], vb: tuple[tuple[str, int], ...]) -> float:
    """Best similarity over the readings of two codes, each unusual reading penalised.

    When the usual readings are far apart, other readings (a letter or two different)
    cannot make the names similar, and are not tried.
    """
    ca, da = va[0]
    cb, db = vb[0]
    best = _lev(ca, cb) - SOFT_PENALTY * (da + db)
    if best >= 1.0 or best < HOPELESS or (len(va) == 1 and len(vb) == 1):
        return best
    for ca, da in va:
        la = len(ca)
        for cb, db in vb:
            penalty = SOFT_PENALTY * (da + db)
            lb = len(cb)
            # Levenshtein similarity is at most min/max of the lengths: skip hopeless readings.
            bound = (la if la < lb else lb) / (la if la > lb else lb) if la and lb else 1.0
            if bound - penalty <= best:
                continue
            s = _lev(ca, cb) - penalty
            if s > best:
                best = s
    return best


@lru_cache(maxsize=1 << 18)
def _token_similarity(a: str, b: str) -> float:
    sa, va, fa, la = _profile(a)
    sb, vb, fb, lb = _profile(b)
    if sa == "o" or sb == "o":
        return _lev(a, b) if sa == sb else 0.0
    if not va[0][0] or not vb[0][0]:  # a part without consonants: compare as written
        return _lev(a, b) if sa == sb else 0.0
    s_code = _variant_similarity(va, vb)
    if HOPELESS - LOOSE_PENALTY <= s_code < 1.0 - LOOSE_PENALTY:
        # letters that spellings confuse (Sahram, Shahram); hopeless pairs are not tried
        s_code = max(s_code, _lev(la, lb) - LOOSE_PENALTY)
    if sa == "a" and sb == "a":
        return CODE_WEIGHT * s_code + (1.0 - CODE_WEIGHT) * _lev(a, b)
    if fa is None or fb is None:
        return s_code  # a rare script name: the code is all we have
    w = LATIN_CODE_WEIGHT if sa == sb else CODE_WEIGHT
    return w * s_code + (1.0 - w) * _lev(fa, fb)


def token_similarity(a: str, b: str) -> float:
    """Similarity (0..1) of two normalised name parts, in any scripts. Symmetric."""
    if a == b:
        return 1.0
    if a > b:
        a, b = b, a
    return _token_similarity(a, b)


# --- whole names -----------------------------------------------------------------------------

_EXACT, _SPELLING, _PARTIAL, _NICK = 0, 1, 2, 3


Part = tuple[str, tuple[str, ...]]


@lru_cache(maxsize=1 << 18)
def _pair(a: Part, b: Part) -> tuple[float, int]:
    """Score of two name parts and how they matched (exact, spelling, partial, nickname)."""
    ta, pa = a
    tb, pb = b
    if ta == tb:
        return 1.0, _EXACT
    s = token_similarity(ta, tb)
    how = _SPELLING
    if s < SAME_THRESHOLD:
        if s < NICKNAME_SCORE and is_nickname_pair(ta, tb):
            s, how = NICKNAME_SCORE, _NICK
        if len(pa) > 1 or len(pb) > 1:
            best = 0.0
            for x in pa if len(pa) > 1 else (ta,):
                if x in PREFIXES:
                    continue
                for y in pb if len(pb) > 1 else (tb,):
                    if y in PREFIXES:
                        continue
                    best = max(best, token_similarity(x, y))
            if PARTIAL_FACTOR * best > s:
                s, how = PARTIAL_FACTOR * best, _PARTIAL
    return s, how


def _pair_sym(a: Part, b: Part) -> tuple[float, int]:
    return _pair(a, b) if a <= b else _pair(b, a)


_NO_HOWS: frozenset[int] = frozenset()


@lru_cache(maxsize=1 << 16)
def _match(a: str, b: str) -> tuple[float, frozenset[int]]:
    """Best order-free pairing of the parts of two names: (score, how parts matched)."""
    pa = name_parts(a)
    pb = name_parts(b)
    if not pa or not pb:
        return 0.0, _NO_HOWS
    if len(pa) == 1 and len(pb) == 1:
        s, how = _pair_sym(pa[0], pb[0])
        return min(1.0, max(0.0, s)), frozenset((how,))
    if len(pa) == 2 and len(pb) == 2 and not _has_honorific(pa, pb):
        # the common case (given and family name): try both pairings
        s00, h00 = _pair_sym(pa[0], pb[0])
        s11, h11 = _pair_sym(pa[1], pb[1])
        s01, h01 = _pair_sym(pa[0], pb[1])
        s10, h10 = _pair_sym(pa[1], pb[0])
        if s00 + s11 >= s01 + s10:
            return min(1.0, max(0.0, (s00 + s11) / 2)), frozenset((h00, h11))
        return min(1.0, max(0.0, (s01 + s10) / 2)), frozenset((h01, h10))
    cells = sorted(
        ((*_pair_sym(x, y), i, j) for i, x in enumerate(pa) for j, y in enumerate(pb)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    weight = 0.0
    hows: set[int] = set()
    for s, how, i, j in cells:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += s
        weight += 1.0
        hows.add(how)
    for side, used in ((pa, used_a), (pb, used_b)):
        if len(used) < len(side):
            for k, (tok, _) in enumerate(side):
                if k not in used and tok not in HONORIFICS:
                    weight += UNMATCHED_WEIGHT
    score = total / weight if weight else 0.0
    if len(pa) != len(pb):
        # split or glued differently (Ganj Khani / Ganjkhani): compare the parts run together
        ja, jb = _joined(pa), _joined(pb)
        if ja is not None and jb is not None:
            s, how = _pair_sym(ja, jb)
            if s > score:
                score, hows = s, {how}
    return min(1.0, max(0.0, score)), frozenset(hows)


def _has_honorific(pa: tuple[Part, ...], pb: tuple[Part, ...]) -> bool:
    return any(tok in HONORIFICS for tok, _ in pa) or any(tok in HONORIFICS for tok, _ in pb)


def _joined(parts: tuple[Part, ...]) -> Part | None:
    """The parts of a name run together, when they are all in one script."""
    toks = [tok for tok, _ in parts if tok not in HONORIFICS]
    if not toks or len({tok.isascii() for tok in toks}) != 1:
        return None
    joined = "".join(toks)
    return joined, (joined,)


def name_similarity(a: str, b: str) -> float:
    """Similarity (0..1) of two names in any scripts; 1.0 when equal after normalisation.

    Parts are compared pairwise (best pairs first, order-free); a part present in one name
    only lowers the score, an honorific (Seyed, Haj) does not. Symmetric.
    """
    if a == b:
        return 1.0 if name_parts(a) else 0.0
    return _match(a, b)[0] if a < b else _match(b, a)[0]


@dataclass(frozen=True)
class NameComparison:
    """A name comparison for explanations.

    ``kind`` is one of ``"exact"`` (same after normalisation), ``"same_other_script"``
    (the same name written in another script), ``"spelling_variant"``, ``"nickname"``
    (a nickname, short form or a half of a compound name), ``"different"`` and
    ``"missing"`` (one side has no name).
    """

    score: float
    kind: str


KINDS = ("exact", "same_other_script", "spelling_variant", "nickname", "different", "missing")


def compare_names(a: str | None, b: str | None) -> NameComparison:
    """Compare two names and say how they relate (for "family name: same in another script")."""
    if not a or not b:
        return NameComparison(0.0, "missing")
    pa, pb = name_parts(a), name_parts(b)
    if not pa or not pb:
        return NameComparison(0.0, "missing")
    ta = sorted(t for t, _ in pa)
    tb = sorted(t for t, _ in pb)
    if ta == tb:
        return NameComparison(1.0, "exact")
    score, hows = _match(a, b) if a < b else _match(b, a)
    if (_NICK in hows or _PARTIAL in hows) and score >= NICKNAME_SCORE * 0.9:
        return NameComparison(score, "nickname")
    if score >= SAME_THRESHOLD:
        sa, sb = detect_script(a), detect_script(b)
        if {sa, sb} == {Script.LATIN, Script.ARABIC}:
            return NameComparison(score, "same_other_script")
        return NameComparison(score, "spelling_variant")
    return NameComparison(score, "different")
