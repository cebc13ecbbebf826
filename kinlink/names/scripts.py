"""Which writing system a name is written in."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

__all__ = ["Script", "detect_script"]


class Script(StrEnum):
    """The script of a name, as far as kinlink's name rules are concerned."""

    LATIN = "latin"
    ARABIC = "arabic"  # Perso-Arabic letters, Persian or Arabic
    MIXED = "mixed"  # both Latin and Perso-Arabic letters
    UNKNOWN = "unknown"  # no letters we know (Cyrillic, digits only, empty...)


# Letters only: digits, punctuation, harakat and Spacing Modifier Letters (ʼ ʿ) are neutral.
_LATIN_LETTER = re.compile(
    "[A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0250-\u02af"
    "\u1e00-\u1eff\u2c60-\u2c7f\ua722-\ua7ff\uff21-\uff3a\uff41-\uff5a]"
)
_ARABIC_LETTER = re.compile(
    "[\u0620-\u063f\u0641-\u064a\u066e-\u0670\u0671-\u06d3\u06d5\u06ee\u06ef"
    "\u06fa-\u06fc\u06ff\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]"
)


def detect_script(text: str) -> Script:
    """Return the script of ``text``: LATIN, ARABIC (Persian or Arabic), MIXED or UNKNOWN.

    Only letters count; digits, punctuation, diacritics and apostrophes are neutral.
    A text with letters of neither script (Cyrillic, Greek...) or no letters is UNKNOWN.
    """
    if not text:
        return Script.UNKNOWN
    if text.isascii():
        return Script.LATIN if _LATIN_LETTER.search(text) else Script.UNKNOWN
    # Compatibility forms (Arabic mathematical letters, circled or mathematical Latin letters,
    # ligatures) count as the letters they stand for, as they do once a name is normalised.
    text = unicodedata.normalize("NFKC", text)
    latin = _LATIN_LETTER.search(text) is not None
    arabic = _ARABIC_LETTER.search(text) is not None
    if latin and arabic:
        return Script.MIXED
    if latin:
        return Script.LATIN
    if arabic:
        return Script.ARABIC
    return Script.UNKNOWN
