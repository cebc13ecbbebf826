"""Canonical form of a name as typed: Persian/Arabic letter variants, Latin case and accents.

The rules, in order:

* Latin letters that Unicode does not decompose are spelled out in ASCII
  (ß→ss, ø→o, æ→ae, ı→i, ə→e, the Turkish/Slavic š ş ș→sh, ž→zh, č→ch, ğ→gh, and the
  romanisation-table letters ǧ→j, ḫ→kh, ṯ→th, ḏ→dh, ġ→gh).
* Unicode compatibility decomposition (NFKD): accents split off the base letter (ë→e, ç→c),
  Arabic presentation forms and ligatures become plain letters, and the hamza forms
  أ إ آ ؤ ئ ۀ become their seat letter plus a combining hamza or madda.
* Combining marks are dropped: Latin accents, Arabic harakat and tanwin, shadda, sukun,
  hamza above/below, madda. The superscript alef (ٰ) becomes ا.
* Perso-Arabic letters take their Persian form: ي ى ئ → ی, ك → ک, ة ۀ ە ھ → ه, أ إ آ ٱ → ا,
  ؤ → و, ڤ → و; the standalone hamza ء and the tatweel ـ are dropped.
* Zero-width non-joiner/joiner and bidi controls are dropped; Persian ۰-۹ and Arabic-Indic
  ٠-٩ digits become 0-9.
* Apostrophes and ayn/hamza signs in Latin (' ’ ‘ ʼ ʿ ʾ ` ´) are dropped: Mas'ud → masud.
* Hyphens, dots, commas and other punctuation become spaces; spaces are collapsed.
* Everything is lower-cased.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["normalize"]

# --- tables ---------------------------------------------------------------------------------

_LATIN_SPECIAL = {
    "ß": "ss",
    "ẞ": "ss",
    "ø": "o",
    "Ø": "o",
    "đ": "d",
    "Đ": "d",
    "ł": "l",
    "Ł": "l",
    "æ": "ae",
    "Æ": "ae",
    "œ": "oe",
    "Œ": "oe",
    "ı": "i",
    "ð": "d",
    "Ð": "d",
    "þ": "th",
    "Þ": "th",
    "ħ": "h",
    "Ħ": "h",
    "ŋ": "ng",
    "Ŋ": "ng",
    "ə": "e",
    "Ə": "e",
    "ɛ": "e",
    "Ɛ": "e",
    "ɔ": "o",
    "Ɔ": "o",
    "š": "sh",
    "Š": "sh",
    "ş": "sh",
    "Ş": "sh",
    "ș": "sh",
    "Ș": "sh",
    "ž": "zh",
    "Ž": "zh",
    "č": "ch",
    "Č": "ch",
    "ğ": "gh",
    "Ğ": "gh",
    "ĸ": "q",
    # letters of the DIN 31635 / ALA-LC / ISO 233 romanisations that stand for digraphs
    "ǧ": "j",
    "Ǧ": "j",
    "ḫ": "kh",
    "Ḫ": "kh",
    "ẖ": "kh",
    "ṯ": "th",
    "Ṯ": "th",
    "ḏ": "dh",
    "Ḏ": "dh",
    "ġ": "gh",
    "Ġ": "gh",
    "ſ": "s",
}

_ARABIC_CANONICAL = {
    # yeh
    "\u064a": "ی",  # ي Arabic yeh
    "\u0649": "ی",  # ى alef maksura
    "\u06d0": "ی",
    "\u06cd": "ی",
    "\u06ce": "ی",
    "\u06d1": "ی",
    "\u06d2": "ی",  # ے yeh barree
    "\u0620": "ی",
    # kaf / gaf
    "\u0643": "ک",  # ك Arabic kaf
    "\u06aa": "ک",
    "\u06ab": "گ",
    "\u06ac": "گ",
    "\u06ad": "گ",
    "\u06af": "گ",
    "\u06b0": "گ",
    "\u06b1": "گ",
    "\u06b3": "گ",
    "\u08b0": "گ",
    "\u06a8": "گ",  # ڨ
    "\u0763": "گ",
    # heh / teh marbuta
    "\u0629": "ه",  # ة teh marbuta
    "\u06c0": "ه",
    "\u06c1": "ه",
    "\u06c2": "ه",
    "\u06c3": "ه",
    "\u06be": "ه",
    "\u06d5": "ه",
    # alef
    "\u0623": "ا",
    "\u0625": "ا",
    "\u0622": "ا",
    "\u0671": "ا",
    "\u0672": "ا",
    "\u0673": "ا",
    "\u0675": "ا",
    "\u0670": "ا",  # superscript alef
    # waw
    "\u0624": "و",
    "\u06c4": "و",
    "\u06c5": "و",
    "\u06c6": "و",
    "\u06c7": "و",
    "\u06c8": "و",
    "\u06c9": "و",
    "\u06ca": "و",
    "\u06cb": "و",
    "\u06cf": "و",
    "\u0676": "و",
    "\u0677": "و",
    "\u06a4": "و",  # ڤ veh, v in Arabic spellings of foreign names
    # yeh with hamza
    "\u0626": "ی",
    "\u0678": "ی",
    # dropped: hamza, tatweel
    "\u0621": None,
    "\u0640": None,
}

_DROP = (
    "\u00ad"  # soft hyphen
    "\u200b\u200c\u200d\u200e\u200f"  # zero width space, ZWNJ, ZWJ, LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings
    "\u2066\u2067\u2068\u2069\u061c\ufeff"  # bidi isolates, ALM, BOM
    "'’‘‛ʼʻʽʾʿˈ`´′"  # apostrophes and ayn/hamza signs in transliteration
)

_SPACE = (
    '-‐‑‒–—―−_.,;:!?/\\|()[]{}<>"«»“”„‟*+=&#@%^~$'
    "\u060c\u061b\u061f\u066b\u066c\u06d4"  # Arabic comma, semicolon, question mark, separators
    "\t\n\r\x0b\x0c\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)

_MARK_RANGES = (
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05C7),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x06D6, 0x06ED),
    (0x0816, 0x082D),
    (0x08CA, 0x08FF),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)


def _build_pre() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(k): v for k, v in _LATIN_SPECIAL.items()}
    return table


def _build_post() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for lo, hi in _MARK_RANGES:
        for cp in range(lo, hi + 1):
            if unicodedata.category(chr(cp)) in ("Mn", "Me"):
                table[cp] = None
    for ch in _DROP:
        table[ord(ch)] = None
    for ch in _SPACE:
        table[ord(ch)] = " "
    for i in range(10):
        table[0x06F0 + i] = str(i)  # Persian digits
        table[0x0660 + i] = str(i)  # Arabic-Indic digits
    for k, v in _ARABIC_CANONICAL.items():
        table[ord(k)] = v
    table.update({ord(k): v for k, v in _LATIN_SPECIAL.items()})
    return table


_PRE = _build_pre()
_POST = _build_post()
_ASCII_TABLE = {cp: v for cp, v in _POST.items() if cp < 128}
# Characters outside ASCII and the Arabic block: they may need a second pass to settle.
_UNUSUAL = re.compile("[^\x00-\x7f\u0600-\u06ff]")


def _one_pass(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_PRE))
    return text.translate(_POST).lower()


@lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """Return the canonical form of a name: script-aware, lower-case, spaces collapsed.

    Latin text is folded to lower-case ASCII (Çela → cela, Solullarë → solullare,
    Mas'ud → masud); Perso-Arabic text takes Persian letter forms without diacritics,
    tatweel or zero-width non-joiner (علي → علی, فاطمة → فاطمه, حسین‌زاده → حسینزاده);
    Persian and Arabic-Indic digits become ASCII digits. Hyphens and punctuation become
    spaces. ``normalize`` is idempotent.
    """
    if not text:
        return ""
    if text.isascii():
        return " ".join(text.translate(_ASCII_TABLE).lower().split())
    out = _one_pass(text)
    if _UNUSUAL.search(out):
        # Rare scripts and compatibility characters: iterate to a fixed point.
        for _ in range(4):
            again = _one_pass(out)
            if again == out:
                break
            out = again
    return " ".join(out.split())
