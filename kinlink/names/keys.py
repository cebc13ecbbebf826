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

from .compounds import HONORIFICS, PREFIXES, name_parts, suffix_stem
from .readings import loose_skeletons
from .transliterate import LOOSE, code, code_variants, expand_code, skeleton_code

__all__ = ["name_keys", "skeleton", "token_keys", "token_skeleton"]

_LOOSE = LOOSE
_ARABIC_D = str.maketrans({"ض": "د"})


def _loose(c: str) -> str:
    return expand_code(c.translate(_LOOSE))


@lru_cache(maxsize=1 << 18)
def _skeleton_code(token: str) -> str:
    return skeleton_code(code(token))


@lru_cache(maxsize=1 << 18)
def token_skeleton(token: str) -> str:
    """Skeleton of one normalised token (lower-case ASCII; ch, sh, kh spelled out)."""
    return expand_code(skeleton_code(code(token)))


@lru_cache(maxsize=1 << 18)
def token_keys(token: str) -> frozenset[str]:
    """Blocking keys of one normalised token: its skeleton and a few looser readings.

    * the skeleton;
    * a loose skeleton that merges what spellings confuse most: q, gh, g, k, j (Ghasem,
      Qasem, Kassem; Jamal, Gamal), kh with h and sh with s (romanisation tables typed
      without their accents: Ḫalil → Halil, Šahram → Sahram), ch with s (French ch for
      ش: Rachid), d with z (Reza, Rida: ض is z in Persian and d in Arabic spellings);
    * for script tokens with ض, the Arabic reading with d (رضا: Reza and Rida).

    A token with no consonant (``Aa``) or in an unknown script keys on itself.
    """
    full = code(token)
    c = skeleton_code(full)
    if not c:
        # no consonant (Ava, آوا): key on the vowel letters, or on the token itself
        vowels = code_variants(token)[0][0].replace("'", "")
        return frozenset({vowels or token})
    keys = {expand_code(c), _loose(c)}
    if "Z" in full or "T" in full:  # dh/th as two letters: Mohammadhossein
        split = skeleton_code(full, split=True)
        keys |= {expand_code(split), _loose(split)}
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
    "Reza" meets it), and the skeleton of the stem of a suffixed family name
    (Hosseinzadeh also keys on ``hsn``, so a mis-split or misspelt suffix still meets it),
    and for a name of several parts the parts run together (Ali Akbari meets Aliakbari),
    and the name's loose skeletons (:func:`kinlink.names.loose_skeletons`: Zhr meets زهرا,
    Iasmin meets Yasmin, Buya meets پویا). Honorifics (Seyed, Haj, سید) are skipped unless
    they are the whole name. Empty only for a name without letters.
    """
    return set(_name_keys(text))


@lru_cache(maxsize=1 << 16)
def _name_keys(text: str) -> frozenset[str]:
    # the loose readings (transliterators' confusions, see readings.py), without onsets
    return _spelled_keys(text) | {k.split("|", 1)[1] for k in loose_skeletons(text)}


def _spelled_keys(text: str) -> frozenset[str]:
    parts = name_parts(text)
    named = [(tok, pieces) for tok, pieces in parts if tok not in HONORIFICS]
    if not named:
        keys: set[str] = set()
        for tok, _ in parts:
            keys |= token_keys(tok)
        return frozenset(keys)
    if len(named) == 1:
        return _part_keys(*named[0])
    keys = set()
    for tok, pieces in named:
        keys |= _part_keys(tok, pieces)
    # the parts run together, so that a name split or glued differently still meets:
    # Ali Akbari / Aliakbari, Ghareh Dagh / Gharadagh
    joined = "".join([_skeleton_code(tok) for tok, _ in named])
    keys.add(expand_code(joined))
    keys.add(_loose(joined))
    return frozenset(keys)


@lru_cache(maxsize=1 << 18)
def _part_keys(tok: str, pieces: tuple[str, ...]) -> frozenset[str]:
    """Keys of one part: its own, its stem's (Hosseinzadeh) and its halves' (Mohammadreza)."""
    keys = set(token_keys(tok))
    stem = suffix_stem(tok)
    if stem is not None:
        keys.add(token_skeleton(stem))
    if len(pieces) > 1:
        for piece in pieces:
            if piece not in PREFIXES:
                keys |= token_keys(piece)
    return frozenset(keys)
