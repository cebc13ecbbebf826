"""A search index over encrypted accounts that stores no plaintext.

Accounts are encrypted at rest (Fernet), so the database cannot search them: `LIKE` and
full-text indexes see only ciphertext, and decrypting 100,000 accounts per query is
neither fast nor acceptable (every decryption is an audited read). Instead, when an account
is written, each of its words is reduced to *terms* and each term is stored only as a keyed
hash (`SearchTerm.term`, the first 8 bytes of HMAC-SHA256 under a random key kept sealed
with the field key). A query is reduced the same way and looked up in a B-tree index on
(term, testimony), so a search costs a few index probes, on SQLite and PostgreSQL alike.

Terms of a word (after `kinlink.names.normalize`):

* ``w:<normalised word>``: the word as written, in its script;
* ``c:<code>`` for each reading of its phonetic code (`kinlink.names.transliterate`),
  which a Persian or Arabic spelling shares with its Latin spellings: حسین, Hossein and
  Husain meet, Hassan stays apart;
* compounds are also indexed joined (Mohammad Reza = محمدرضا) and suffixed family names
  split off (Hosseinnia, حسین‌نیا).

The names of the witness and of everyone in the testimony's events, and the names of the
events' types and places (all aliases, every script), are indexed with the account, so
"Hurriyeh" finds what happened in Camp Liberty.

What the hashes reveal: someone with the database but not the key sees only which
testimonies share a term and how often terms occur; without the key they cannot test a
guess. With the key file as well they could test guesses word by word, which is less than
the same key already gives them (it opens the accounts themselves).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from kinlink.names import normalize
from kinlink.names.compounds import name_parts
from kinlink.names.transliterate import code_variants

# Letters and the marks and joiners that belong inside a word in Persian, Arabic and Latin
# text (Python's \w leaves out combining marks and the zero-width non-joiner).
WORD = re.compile(
    r"[^\W_](?:[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]"
    r"|['’](?=\w))*"
)
# Words too common to be worth an index row; they are dropped from queries too.
_STOPWORDS = (
    "a an and are as at be by for from had has have he her his i in is it me my of on or "
    "our she so that the their them they this to was we were who with you "
    "و در به از که را با این آن است بود من ما او هم تا برای یک شد می"
    " في من على إلى عن مع كان"
)
STOPWORDS = frozenset(_STOPWORDS.split())
MAX_CODE_VARIANTS = 9


def words(text: str) -> Iterator[re.Match[str]]:
    """Every word of a text, with its position."""
    return WORD.finditer(text)


@lru_cache(maxsize=1 << 16)
def word_terms(normalised: str) -> frozenset[str]:
    """The index terms of one normalised word (see the module docstring)."""
    if not normalised or normalised in STOPWORDS:
        return frozenset()
    terms = {f"w:{normalised}"}
    for reading, _penalty in code_variants(normalised)[:MAX_CODE_VARIANTS]:
        if reading:
            terms.add(f"c:{reading}")
    return frozenset(terms)


def text_terms(text: str) -> set[str]:
    """All index terms of a text: every word, plus the joined compounds and their parts."""
    normalised = normalize(" ".join(match.group(0) for match in words(text)))
    terms: set[str] = set()
    for joined, pieces in name_parts(normalised):
        terms |= word_terms(joined)
        if len(pieces) > 1:
            for piece in pieces:
                terms |= word_terms(piece)
    return terms


def query_groups(query: str) -> list[frozenset[str]]:
    """The query as groups of terms: a testimony matches when it has a term of every group.

    A word's group holds its exact form and its phonetic readings. Compounds are joined as
    in the index, so "Mohammad Reza" finds محمدرضا and the reverse."""
    normalised = normalize(" ".join(match.group(0) for match in words(query)))
    groups = [word_terms(joined) for joined, _pieces in name_parts(normalised)]
    return [group for group in groups if group]


def _index_key() -> bytes:
    from .keys import named_key

    return named_key("search")


def term_hash(key: bytes, term: str) -> int:
    """A signed 64-bit keyed hash of one term (fits a BigIntegerField)."""
    digest = hmac.new(key, term.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def hashes(terms: Iterable[str], key: bytes | None = None) -> set[int]:
    key = key if key is not None else _index_key()
    return {term_hash(key, term) for term in terms}


def hashed_groups(query: str) -> list[set[int]]:
    key = _index_key()
    return [hashes(group, key) for group in query_groups(query)]
