"""One best-guess Latin reading of a Perso-Arabic name (for display and string comparison)."""

from __future__ import annotations

from functools import lru_cache

from .compounds import name_parts
from .lexicon import lookup

__all__ = ["romanize", "romanize_token"]

_LETTERS = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ث": "s",
    "ج": "j",
    "چ": "ch",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "z",
    "ر": "r",
    "ز": "z",
    "ژ": "zh",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "z",
    "ط": "t",
    "ظ": "z",
    "غ": "gh",
    "ف": "f",
    "ق": "gh",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
}
_VOWEL_LETTERS = "اوی"
_SUFFIXES = (
    ("زاده", "zadeh"),
    ("یان", "ian"),
    ("پور", "pour"),
    ("نیا", "nia"),
    ("نژاد", "nejad"),
    ("الله", "ollah"),
    ("فرد", "fard"),
    ("فر", "far"),
    ("وند", "vand"),
    ("خواه", "khah"),
    ("پناه", "panah"),
    ("دوست", "doust"),
    ("منش", "manesh"),
    ("لو", "lou"),
)
_PREFIXES = (("عبدال", "abdol"), ("ابوال", "abol"), ("عبد", "abd"), ("ابو", "abu"))


def _letters(token: str) -> str:
    """Letter-by-letter reading with guessed short vowels between adjacent consonants.

    Short vowels are not written, so they are guessed: *e* before ه + consonant (Mehran,
    Tehran), *a* elsewhere; a consonant that closes a syllable gets none (Bahram, not
    Baharam; Alborz, not Alaborz).
    """
    letters = [ch for ch in token if ch in _LETTERS or ch in "اوهیع"]
    n = len(letters)
    out: list[str] = []
    inserted = False  # whether the last emitted vowel was a guess

    def consonant(k: int) -> bool:
        return 0 <= k < n and letters[k] not in _VOWEL_LETTERS and letters[k] != "ع"

    for i, ch in enumerate(letters):
        nxt = letters[i + 1] if i + 1 < n else ""
        if ch == "ا":
            out.append("a")
            # a first consonant after an initial vowel closes its syllable: Alborz, Ashkan
            inserted = i == 0
            continue
        if ch == "و":
            if i == 0 or nxt in ("ا", "ی") or (i > 0 and letters[i - 1] == "ا"):
                out.append("v")
            else:
                out.append("ou")
                inserted = False
                continue
        elif ch == "ی":
            after_alef = i > 0 and letters[i - 1] == "ا"
            if (
                i == 0
                or nxt in ("ا", "و")
                or (after_alef and nxt and not consonant(i + 1))
                or (after_alef and nxt == "ه" and i + 2 == n)
            ):
                out.append("y")
            else:
                out.append("i")
                inserted = False
                continue
        elif ch == "ه":
            if i == n - 1:
                out.append("h" if i and letters[i - 1] == "ا" else "eh")  # Shah; Sayeh
                continue
            out.append("h")
        elif ch == "ع":
            if i == 0 and consonant(1):
                out.append("a")  # Abbas
            elif i and consonant(i - 1) and consonant(i + 1):
                out.append("a")
            inserted = False
            continue
        else:
            out.append(_LETTERS[ch])
        # A consonant was emitted: guess a short vowel before a following consonant,
        # but not before a final ه (Gelareh) which is itself the vowel.
        if consonant(i + 1) and not (i + 2 == n and letters[i + 1] == "ه"):
            penultimate = i + 2 == n
            if not inserted or penultimate:
                mehr = letters[i + 1] == "ه" and consonant(i + 2)
                out.append("e" if mehr else "a")
                inserted = True
            else:
                inserted = False
        elif not nxt:
            inserted = False
    return "".join(out)


@lru_cache(maxsize=1 << 16)
def romanize_token(token: str) -> tuple[str, bool]:
    """Romanise one normalised Perso-Arabic token; return ``(latin, from_lexicon)``.

    ``from_lexicon`` is True when every part came from the lexicon of usual spellings
    (possibly after splitting off a suffix or joining two known names).
    """
    hit = lookup(token)
    if hit is not None:
        return hit, True
    for script, latin in _PREFIXES:
        if token.startswith(script) and len(token) > len(script) + 1:
            rest, known = romanize_token(token[len(script) :])
            return latin + rest, known
    for script, latin in _SUFFIXES:
        if token.endswith(script) and len(token) > len(script) + 1:
            stem, known = romanize_token(token[: -len(script)])
            return stem + latin, known
    if len(token) > 2 and token.endswith("یی") and lookup(token[:-2]):
        return lookup(token[:-2]) + "ei", True  # type: ignore[operator]
    if len(token) > 2 and token.endswith("ی") and lookup(token[:-1]):
        stem = lookup(token[:-1]) or ""
        return stem + ("ei" if stem.endswith(("a", "i")) else "i"), True
    for k in range(2, len(token) - 1):
        a, b = lookup(token[:k]), lookup(token[k:])
        if a and b:
            return a + b, True
    return _letters(token), False


def romanize(text: str) -> str:
    """Return one best-guess Latin reading of a name (lower-case ASCII, parts space-separated).

    Perso-Arabic parts use the usual spelling of common names (محمد رضا موسوی →
    ``mohammadreza mousavi``) and a letter-by-letter reading otherwise; Latin parts are
    returned normalised. Other scripts are dropped.
    """
    out: list[str] = []
    for tok, _ in name_parts(text):
        if tok.isascii():
            out.append(tok)
        elif any("\u0600" <= ch <= "\u06ff" for ch in tok):
            out.append(romanize_token(tok)[0])
    return " ".join(t for t in out if t)
