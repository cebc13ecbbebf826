"""Nicknames, short forms and Western equivalents of common Persian and Arabic given names.

Kept deliberately small: every entry says why it is there. Short forms of compound names
(Reza for Mohammad Reza, Ali for Ali Akbar, Karim for Abdol Karim) are handled by
:mod:`kinlink.names.similarity` from the compound parts, not listed here.
Spellings are matched through phonetic codes, so ``Mammad`` finds the ``Mamad`` entry and
``ممد`` the same one.
"""

from __future__ import annotations

from functools import lru_cache

from .compounds import name_tokens
from .normalize import normalize
from .transliterate import code

__all__ = ["NICKNAMES", "is_nickname_pair", "nickname_variants"]

# (short or familiar forms, formal names, reason)
NICKNAMES: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (
        ("mamad", "mammad", "ممد"),
        ("mohammad", "محمد"),
        "Persian colloquial hypocorism of Mohammad",
    ),
    (
        ("mamali", "ممدعلی"),
        ("mohammadali", "محمدعلی"),
        "Persian colloquial hypocorism of Mohammad Ali",
    ),
    (
        ("ray",),
        ("reza", "mohammadreza", "alireza", "gholamreza", "رضا", "محمدرضا", "علیرضا", "غلامرضا"),
        "Western adaptation of Reza used in the diaspora (DOMAIN.md: 'Ray' for Mohammad Reza)",
    ),
    (
        ("mo", "moe"),
        ("mohammad", "mostafa", "morteza", "mohsen", "محمد", "مصطفی", "مرتضی", "محسن"),
        "Western short form of names beginning Mo-",
    ),
    (
        ("abol", "abi"),
        ("abolfazl", "abolghasem", "ابوالفضل", "ابوالقاسم"),
        "Persian colloquial short forms of Abol- names",
    ),
    (
        ("fati",),
        ("fatemeh", "فاطمه"),
        "Persian colloquial hypocorism of Fatemeh",
    ),
    (
        ("fred",),
        ("fereydoun", "farid", "فریدون", "فرید"),
        "Western adaptation used in the diaspora",
    ),
    (
        ("david", "dave"),
        ("davoud", "داوود"),
        "the same Biblical/Quranic name in its English form",
    ),
    (("joseph", "joe"), ("yousef", "یوسف"), "the same Biblical/Quranic name in its English form"),
    (("abraham",), ("ebrahim", "ابراهیم"), "the same Biblical/Quranic name in its English form"),
    (("moses",), ("mousa", "موسی"), "the same Biblical/Quranic name in its English form"),
    (("jacob",), ("yaghoub", "یعقوب"), "the same Biblical/Quranic name in its English form"),
    (("solomon",), ("soleiman", "سلیمان"), "the same Biblical/Quranic name in its English form"),
    (("mary",), ("maryam", "مریم"), "the same Biblical/Quranic name in its English form"),
)


def _key(token: str) -> str:
    """Match spellings of one name: the hard code, or the token itself when it has none."""
    return code(token).translate(_HARDEN) or token


_HARDEN = str.maketrans("UI", "ui")


def _build() -> tuple[dict[str, set[str]], dict[str, set[int]]]:
    spellings: dict[str, set[str]] = {}
    index: dict[str, set[int]] = {}
    for i, (short, formal, _reason) in enumerate(NICKNAMES):
        for side, names in (("s", short), ("f", formal)):
            for name in names:
                tok = "".join(name_tokens(name)) or normalize(name)
                spellings.setdefault(f"{i}{side}", set()).add(tok)
                index.setdefault(_key(tok), set()).add(i * 2 + (side == "f"))
    return spellings, index


_SPELLINGS, _INDEX = _build()


@lru_cache(maxsize=1 << 14)
def nickname_variants(token: str) -> set[str]:
    """Return the normalised names that ``token`` may stand for, and vice versa.

    For a nickname the formal names (``"Mamad"`` → ``{"mohammad", "محمد"}``); for a
    formal name its nicknames (``"Mohammad"`` → ``{"mamad", "mammad", "ممد", "mo", ...}``),
    in Latin and Persian script. Empty when the name is in no entry.
    """
    tok = "".join(name_tokens(token)) or normalize(token)
    out: set[str] = set()
    for slot in _INDEX.get(_key(tok), ()):
        entry, formal = divmod(slot, 2)
        out |= _SPELLINGS[f"{entry}{'s' if formal else 'f'}"]
    out.discard(tok)
    return set(out)


@lru_cache(maxsize=1 << 18)
def _slots(token: str) -> frozenset[int]:
    return frozenset(_INDEX.get(_key(token), ()))


def is_nickname_pair(a: str, b: str) -> bool:
    """Whether two normalised tokens are a nickname and a formal name of one entry."""
    sa = _slots(a)
    if not sa:
        return False
    sb = _slots(b)
    if not sb:
        return False
    return any((slot ^ 1) in sb for slot in sa)
