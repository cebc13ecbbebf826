"""Splitting a name into parts and joining compound names canonically.

``Mohammad Reza``, ``Mohammad-Reza``, ``Mohammadreza``, ``محمد رضا`` and ``محمدرضا`` are the
same given name; ``Hossein Zadeh``, ``Hosseinzade`` and ``حسین‌زاده`` the same family name.
:func:`name_tokens` returns the parts with these compounds joined:

* ``Abd``-names: abd, abdol, abdul, abdel, abdal (+ an article al/el/ol/ul) join the next
  part and are spelled ``abdol``: ``Abdul Karim`` → ``abdolkarim``, ``Abd al-Rahman`` →
  ``abdolrahman``, ``Abdurrahman`` → ``abdolrahman``, ``Abdullah`` → ``abdollah``;
  ``عبد الکریم`` → ``عبدالکریم``.
* ``Abu``-names: abu, abou, abo + article, abol, abul join the next part, spelled ``abol``
  before an article (``Abu al-Fazl`` → ``abolfazl``) and ``abu`` otherwise; ``ابو``.
* Suffixes join the part before: -zadeh (zade, zada, zadah), -pour (pur, poor), -nia,
  -nejad (nezhad, nejhad, nijad, nizad), -far, -fard, -vand, -lou (loo), -ollah (ullah,
  allah, olah), -khah, -panah, -doust (dust, doost), -manesh, -khani; زاده پور نیا نژاد فر
  فرد وند لو الله خواه پناه دوست منش خانی. Glued spellings take the same canonical suffix
  (Hosseinzade → hosseinzadeh, Nasrallah → nasrollah).
* Compound given names: a first part (Mohammad, Ali, Amir, Gholam, Hossein, Mir) followed
  by a common second part (Reza, Ali, Hossein, Hassan, Javad, Mehdi, Akbar, ...) in any
  spelling or script join: ``Mohammad Reza`` → ``mohammadreza``, ``Gholam Hossein`` →
  ``gholamhossein``.
* A standalone Arabic article (al, el, ال) in front of a family name is dropped:
  ``al-Hashimi`` → ``hashimi``.

Digits are dropped; a part mixing scripts is split where the script changes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .normalize import normalize
from .transliterate import code_variants

__all__ = ["HONORIFICS", "PREFIXES", "name_parts", "name_tokens", "suffix_stem"]

_PIECES = re.compile(r"[a-z]+|[\u0600-\u06ff]+|[^\sa-z0-9\u0600-\u06ff]+")
_STRIP_DIGITS = re.compile(r"[\d\u0660-\u0669\u06f0-\u06f9]+")

_ARTICLES = {"al", "el", "ol", "ul", "il", "ال"}
_ABD = {"abd", "abdol", "abdul", "abdel", "abdal", "abdil", "abdoul", "abdool", "abdu", "abdo"}
_ABD_GLUED = re.compile(r"^abd(?:(?:[aeiou]{1,2})l|[aeiou](?=([rsnzt])\1))(.{2,})$")
_PREFIX_OF = {"عبد": "عبد", "ابو": "ابو"}
PREFIXES: frozenset[str] = frozenset({"abdol", "abol", "abu", "عبد", "ابو", "عبدال", "ابوال"})
_ABU = {"abu", "abou", "abo", "abol", "abul", "aboul"}
_ABU_GLUED = re.compile(r"^ab(?:o|u|ou)l(.{3,})$")

_SUFFIX_CANON = {
    "zadeh": "zadeh",
    "zade": "zadeh",
    "zada": "zadeh",
    "zadah": "zadeh",
    "pour": "pour",
    "pur": "pour",
    "poor": "pour",
    "nia": "nia",
    "niya": "nia",
    "nejad": "nejad",
    "nezhad": "nejad",
    "nejhad": "nejad",
    "nijad": "nejad",
    "nazhad": "nejad",
    "nizad": "nejad",
    "nizhad": "nejad",
    "nezad": "nejad",
    "khani": "khani",
    "khany": "khani",
    "far": "far",
    "fard": "fard",
    "vand": "vand",
    "wand": "vand",
    "lou": "lou",
    "loo": "lou",
    "ollah": "ollah",
    "ullah": "ollah",
    "allah": "ollah",
    "olah": "ollah",
    "khah": "khah",
    "panah": "panah",
    "doust": "doust",
    "dust": "doust",
    "doost": "doust",
    "manesh": "manesh",
}
_ARABIC_SUFFIXES = {"زاده", "پور", "نیا", "نژاد", "فر", "فرد", "وند", "لو", "الله", "خواه", "پناه"}
_ARABIC_SUFFIXES |= {"دوست", "منش", "خانی"}
# Glued Latin endings that are respelled canonically (stem of at least 3 letters kept).
_GLUED_SUFFIX = re.compile(
    r"^(.{3,}?)(zade|zada|zadah|pur|poor|niya|nezhad|nejhad|nijad|nazhad|nizad|nizhad|nezad"
    r"|ullah|allah|olah|loo|khany)$"
)

HONORIFICS: frozenset[str] = frozenset(
    {
        "seyed",
        "seyyed",
        "sayed",
        "sayyed",
        "sayyid",
        "seyyid",
        "syed",
        "sayid",
        "seyedeh",
        "seyyedeh",
        "sayyida",
        "sayeda",
        "haj",
        "hajj",
        "haji",
        "hajji",
        "hajieh",
        "mirza",
        "sheikh",
        "shaikh",
        "shaykh",
        "sheykh",
        "molla",
        "mulla",
        "mullah",
        "mollah",
        "سید",
        "سیده",
        "حاج",
        "حاجی",
        "حاجیه",
        "میرزا",
        "شیخ",
        "ملا",
    }
)

_FIRST_SPELLINGS = (
    "mohammad mohamad muhammad mohammed mohamed muhamad mohd ali aly amir gholam golam qolam "
    "ghulam hossein hussein husain hosein mir محمد علی امیر غلام حسین میر"
)
_SECOND_SPELLINGS = (
    "reza rida ridha ali aly hossein hussein husain hosein hassan hasan javad jawad mehdi mahdi "
    "bagher baqer baqir sadegh sadeq sadiq kazem kazim taghi taqi naghi naqi karim amin akbar "
    "asghar asgar mohammad muhammad mohammed hadi sajjad abbas saleh salih mostafa mustafa "
    "morteza murtaza mojtaba mujtaba hamid rasoul rasul jafar jaafar ebrahim ibrahim esmaeil "
    "ismail yousef yusuf gholi qoli mahmoud mahmud رضا علی حسین حسن جواد مهدی باقر صادق کاظم "
    "تقی نقی کریم امین اکبر اصغر محمد هادی سجاد عباس صالح مصطفی مرتضی مجتبی حمید رسول جعفر "
    "ابراهیم اسماعیل یوسف قلی محمود"
)


def _code_set(spellings: str) -> frozenset[str]:
    out: set[str] = set()
    for s in spellings.split():
        out.update(c for c, _ in code_variants(normalize(s)))
    return frozenset(out)


_FIRST_CODES = _code_set(_FIRST_SPELLINGS)
_SECOND_CODES = _code_set(_SECOND_SPELLINGS)
# Inside a glued compound the second half has no vowel onset: Aliakbar is 'li + kbr.
_SECOND_INNER = _SECOND_CODES | {c[1:] for c in _SECOND_CODES if c.startswith("'")}
_MAX_FIRST = max(map(len, _FIRST_CODES))


def _may_be_glued(tok: str) -> bool:
    """Cheap test on the codes: could ``tok`` be a first half and a second half glued?"""
    for reading, _ in code_variants(tok):
        for k in range(2, min(len(reading) - 1, _MAX_FIRST) + 1):
            if reading[:k] in _FIRST_CODES and reading[k:] in _SECOND_INNER:
                return True
    return False


def _is_first(tok: str) -> bool:
    return code_variants(tok)[0][0] in _FIRST_CODES


def _is_second(tok: str) -> bool:
    return code_variants(tok)[0][0] in _SECOND_CODES


def _canon_latin(tok: str) -> str:
    m = _ABD_GLUED.match(tok)
    if m:
        rest = m.group(2)
        if m.group(1):
            rest = rest[1:]  # Abdur-rahman: the article assimilated to the sun letter
        return "abdol" + rest
    m = _ABU_GLUED.match(tok)
    if m:
        return "abol" + m.group(1)
    m = _GLUED_SUFFIX.match(tok)
    if m:
        return m.group(1) + _SUFFIX_CANON[m.group(2)]
    return tok


def _split(text: str) -> list[str]:
    norm = _STRIP_DIGITS.sub(" ", normalize(text))
    return _PIECES.findall(norm)


@lru_cache(maxsize=1 << 16)
def name_parts(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return each name token with the parts it was joined from: ``((token, parts), ...)``.

    ``name_parts("Mohammad Reza Mousavi")`` is
    ``(("mohammadreza", ("mohammad", "reza")), ("mousavi", ("mousavi",)))``.
    """
    raw = _split(text)
    out: list[tuple[str, tuple[str, ...]]] = []
    i = 0
    n = len(raw)
    while i < n:
        tok = raw[i]
        latin = tok.isascii()
        # Abd- and Abu- prefixes take the next part (and an article in between).
        if tok in _ABD or tok in _ABU or tok in ("عبد", "ابو"):
            j = i + 1
            article = False
            if j < n and raw[j] in _ARTICLES and j + 1 < n:
                article = True
                j += 1
            if j < n:
                nxt = raw[j]
                if latin:
                    if tok in _ABD:
                        head = "abdol"
                    elif article or tok in ("abol", "abul", "aboul"):
                        head = "abol"
                    else:
                        head = "abu"
                    joined = head + _canon_latin(nxt)
                else:
                    joined = tok + ("ال" if article else "") + nxt
                prefix = _PREFIX_OF.get(tok, tok)
                if latin:
                    prefix = "abdol" if tok in _ABD else ("abol" if head == "abol" else "abu")
                out.append((joined, (prefix, _canon_latin(nxt) if latin else nxt)))
                i = j + 1
                continue
        if tok in _ARTICLES and i + 1 < n:
            i += 1  # al-Hashimi: drop the article
            continue
        if latin:
            tok = _canon_latin(tok)
        # Suffixes join the previous part.
        suffix = _SUFFIX_CANON.get(tok) if latin else (tok if tok in _ARABIC_SUFFIXES else None)
        if suffix is not None and out:  # also Haji Pour, Seyed Zadeh: family names
            prev, _parts = out.pop()
            out.append((prev + suffix, (prev + suffix,)))
            i += 1
            continue
        # Compound given names: Mohammad Reza, Gholam Hossein, علی اکبر.
        if (
            i + 1 < n
            and raw[i + 1].isascii() == latin
            and _is_first(tok)
            and _is_second(raw[i + 1])
            and raw[i + 1] not in _ARTICLES
        ):
            nxt = _canon_latin(raw[i + 1]) if latin else raw[i + 1]
            out.append((tok + nxt, (tok, nxt)))
            i += 2
            continue
        out.append((tok, _glued_parts(tok)))
        i += 1
    return tuple(out)


@lru_cache(maxsize=1 << 16)
def _glued_parts(tok: str) -> tuple[str, ...]:
    """Split a glued compound given name (mohammadreza, غلامحسین) into its two halves."""
    if len(tok) < 5:
        return (tok,)
    if tok.startswith("abdol") and len(tok) > 7:
        return ("abdol", tok[5:])
    if tok.startswith("abol") and len(tok) > 6:
        return ("abol", tok[4:])
    for prefix in ("عبدال", "ابوال"):
        if tok.startswith(prefix) and len(tok) > len(prefix) + 1:
            return (prefix, tok[len(prefix) :])
    if not _may_be_glued(tok):
        return (tok,)
    for k in range(2, len(tok) - 1):
        left, right = tok[:k], tok[k:]
        if _is_first(left) and _is_second(right):
            return (left, right)
    return (tok,)


def name_tokens(text: str) -> list[str]:
    """Split a name into normalised parts with known compounds joined canonically.

    ``"Mohammad-Reza  MOUSAVI"`` → ``["mohammadreza", "mousavi"]``; ``"Abdul Karim"`` →
    ``["abdolkarim"]``; ``"Hossein Zade"`` → ``["hosseinzadeh"]``; ``"محمد رضا"`` →
    ``["محمدرضا"]``. Honorifics (Seyed, Haj, سید) are kept as their own parts.
    """
    return [tok for tok, _ in name_parts(text)]


_CANON_SUFFIXES = tuple(sorted(set(_SUFFIX_CANON.values()) - {"ollah"}, key=len, reverse=True))
_SCRIPT_SUFFIXES = tuple(sorted(_ARABIC_SUFFIXES - {"الله"}, key=len, reverse=True))


@lru_cache(maxsize=1 << 16)
def suffix_stem(tok: str) -> str | None:
    """The stem of a family name built with a suffix (hosseinzadeh → hossein), or None.

    Only the suffixes of :func:`name_tokens` count (-zadeh, -pour, -nia, -nejad, ...),
    and the stem must keep at least three letters.
    """
    suffixes = _CANON_SUFFIXES if tok.isascii() else _SCRIPT_SUFFIXES
    for suffix in suffixes:
        if tok.endswith(suffix) and len(tok) - len(suffix) >= 3:
            return tok[: -len(suffix)]
    return None
