"""Cross-script skeletons and blocking keys.

A *skeleton* keeps only consonants: vowels, the long-vowel letters ا و ی and their Latin
counterparts (and v, w, y inside a word) are dropped, doubled letters collapsed, and letters
that Persian pronounces alike share one class (س ص ث → s; ز ذ ض ظ → z; ت ط → t; ح ه → h;
ق غ → q, written gh or q in Latin). حسین, Hossein, Hussein, Husain and Hosein all give
``hsn``; موسوی, Mousavi, Moosavi and Musawi give ``ms``. Word-initial و/ی and v/w/y are
consonants and kept (ولی ``vl`` is not علی ``l``).
"""

from __future__ import annotations

from functools import lru_cache

from .compounds import HONORIFICS, PREFIXES, name_parts
from .transliterate import code, expand_code, skeleton_code

__all__ = ["name_keys", "skeleton", "token_keys", "token_skeleton"]

_LOOSE = str.maketrans({"q": "k", "g": "k", "X": "k", "d": "z"})
_ARABIC_D = str.maketrans({"ض": "د", "ظ": "د", "ذ": "د"})


@lru_cache(maxsize=1 << 18)
def token_skeleton(token: str) -> str:
    """Skeleton of one normalised token (lower-case ASCII; ch, sh, kh spelled out)."""
    return expand_code(skeleton_code(code(token)))


@lru_cache(maxsize=1 << 18)
def token_keys(token: str) -> frozenset[str]:
    """Blocking keys of one normalised token: its skeleton and a few looser readings.

    * the skeleton;
    * a loose skeleton with q, g, k, kh merged (Ghasem, Qasem, Kassem, قاسم) and d, z
      merged (Reza, Rida: ض is z in Persian and d in Arabic spellings);
    * for script tokens with ض ظ ذ, the Arabic reading with d (رضا: Reza and Rida).

    A token with no consonant (``Aa``) or in an unknown script keys on itself.
    """
    c = skeleton_code(code(token))
    if not c:
        return frozenset({token})
    keys = {expand_code(c), expand_code(c.translate(_LOOSE))}
    if not token.isascii():
        alt = token.translate(_ARABIC_D)
        if alt != token:
            keys.add(expand_code(skeleton_code(code(alt))))
    return frozenset(keys)


def skeleton(text: str) -> str:
    """Cross-script consonant skeleton of a name: token skeletons joined by spaces.

    ``skeleton("حسین موسوی") == skeleton("Hussein Musawi") == "hsn ms"``;
    compounds are joined first (``Mohammad Reza`` and ``محمدرضا`` → ``mhmdrz``).
    """
    out = [token_skeleton(tok) for tok, _ in name_parts(text)]
    return " ".join(s for s in out if s)


def name_keys(text: str) -> set[str]:
    """Blocking/index keys of a name: a name and its spellings in any script share a key.

    The keys of each part (see :func:`token_keys`), plus the skeletons of the two halves of
    a compound given name (Mohammad Reza also keys on ``mhmd`` and ``rz``, so an enquiry for
    "Reza" meets it). Honorifics (Seyed, Haj, سید) are skipped unless they are the whole
    name. Empty only for a name without letters.
    """
    keys: set[str] = set()
    parts = name_parts(text)
    for tok, pieces in parts:
        if tok in HONORIFICS:
            continue
        keys |= token_keys(tok)
        if len(pieces) > 1:
            for piece in pieces:
                if piece not in PREFIXES:
                    keys |= token_keys(piece)
    if not keys:
        for tok, _ in parts:
            keys |= token_keys(tok)
    return keys
