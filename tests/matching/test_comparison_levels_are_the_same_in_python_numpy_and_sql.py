"""The comparison levels are written three times (Python, numpy, Splink SQL): same answers."""

import pytest

from kinlink.calendars import parse_birth_date
from kinlink.matching import MatchIndex, MatchRequest, PersonRecord, link_batch, score_pair
from kinlink.matching.features import name_feat, name_level, onset

PAIRS = [
    ("Mahdi", "Amirmahdi", "nickname"),
    ("مهدی", "Amir Mahdi", "nickname"),
    ("Ray", "محمدرضا", "nickname"),
    ("Reza", "Mohammadreza", "nickname"),
    ("Hossein", "حسین", "other_script"),
    ("Fereshteh", "Fereshte", "variant"),
    ("Yeganeh", "Yaganeh", None),
    ("Masoud", "Massoud", "variant"),
    ("Parvin", "Parwin", None),
    ("Zahra", "Zahra", "exact"),
    ("Maryam", "Mina", None),
    ("Kourosh", "Behrouz", None),
    # one skeleton (hsn, hmd), but one name begins on a vowel and the other does not
    ("Ehsan", "احسان", "other_script"),
    ("Hasan", "احسان", "close"),
    ("Ehsan", "Hasan", "close"),
    ("Ahmadi", "احمدی", "other_script"),
    ("Hamidi", "احمدی", "different"),
    ("Hsn", "احسان", "other_script"),  # a consonant transliteration: onset unknown
    ("'ly", "علی", "other_script"),  # ain written as an apostrophe
    # the long vowels script writes tell names with one skeleton apart
    ("Mahmoud", "محمود", "other_script"),
    ("Mahmoud", "محمد", "variant"),
    ("Hamid", "حمید", "other_script"),
    ("Hamid", "حامد", "variant"),
    ("Sana", "سنا", "other_script"),
    ("Sina", "سنا", "variant"),
    # both in script: Jaro-Winkler of the letters, not of guessed vowels
    ("مهسا", "ماهان", "close"),
    ("سینتا", "سینا", "variant"),
    # a compound is not a spelling variant of its first part
    ("Amirhsin", "Amir", "close"),
    # transliterators' confusions: Arabic d for ض, b for پ, letter by letter
    ("Rida", "رضا", "loose"),
    ("Ikbar Bur", "Akbar Pour", "loose"),
    ("Zdh", "زاده", "loose"),
    ("Khmly", "کمالی", "loose"),
    ("Thrny", "تهرانی", "other_script"),
    ("Isna", "یسنا", "loose"),
    ("Azadi", "Azizi", "faint"),  # d and z stay apart: one consonant apart
    # a typo on top of a transliteration: skeletons one letter apart, not plainly different
    ("Yusi", "یوسف", "faint"),
    ("Gwirz", "Goudarz", "faint"),
    ("هنی", "هدی", "faint"),
    ("Baharah", "Parisa", "different"),
    ("Benyamin", "علی اکبر", "different"),
    ("Mhmd-por", "محمد پور", "variant"),  # spaces do not count
    # names that end otherwise are other names, however alike they begin
    ("Jafarnezhad", "Jafarnia", "!variant"),
    ("امیرمهدی", "امیرمحمد", "!variant"),
    ("Mohammadali", "Mohammadsaleh", "!variant"),
    ("Sharifi", "Sharifnia", "!variant"),
    ("Kairmi", "Karimi", "variant"),  # a typo still is a variant
]


@pytest.mark.parametrize(("a", "b", "want"), PAIRS)
def test_python_levels_of_tricky_pairs(a, b, want):
    level = name_level(name_feat(a), name_feat(b))
    if want is not None and want.startswith("!"):
        assert level not in ("exact", "other_script", want[1:]), level
    elif want is not None:
        assert level == want
    assert level == name_level(name_feat(b), name_feat(a))  # symmetric


def test_index_and_splink_give_the_python_levels_for_every_pair():
    birth = parse_birth_date("1970")
    registry = [
        PersonRecord(f"p{i}", b, "Sadeghi", father_name=b, birth=birth)
        for i, (_, b, _) in enumerate(PAIRS)
    ]
    requests = [
        MatchRequest(f"q{i}", a, "Sadeghi", father_name=a, birth=birth)
        for i, (a, _, _) in enumerate(PAIRS)
    ]
    idx = MatchIndex()
    idx.add_many(registry)
    batch = link_batch(requests, registry, top_k=len(registry))
    for i, (q, res) in enumerate(zip(requests, batch, strict=True)):
        rec = registry[i]
        want = score_pair(q, rec, tf=idx.tf).levels
        inter = {c.person_id: c for c in idx.search(q, top_k=len(registry))}
        bat = {c.person_id: c for c in res.candidates}
        assert rec.id in inter and rec.id in bat, (q, rec)
        for found in (inter[rec.id], bat[rec.id]):
            got = {e.field: e.level for e in found.evidence}
            assert got["given_name"] == want["given_name"], (q.given_name, rec.given_name)
            assert got["father_name"] == want["father_name"]
        assert bat[rec.id].match_weight == pytest.approx(inter[rec.id].match_weight, abs=1e-6)


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("Ehsan", "v"),
        ("احسان", "v"),
        ("عباس", "v"),
        ("‘Abbās", "v"),
        ("Hasan", "c"),
        ("حسن", "c"),
        ("Ḥusayn", "c"),
        ("Yasin", "c"),
        ("یاسین", "c"),
        ("Hsn", ""),
        ("myd", ""),
        ("", ""),
    ],
)
def test_the_onset_of_a_name(name, want):
    assert onset(name) == want
