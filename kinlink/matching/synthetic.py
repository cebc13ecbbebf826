"""Synthetic registries and requests for tests, demos and quick timing checks.

Entirely made-up people.  The name spellings below are a small hand-written table of
common Persian names with Latin spellings seen in practice; they are data for
generating test records, not rules the engine uses (the engine only knows what
:mod:`kinlink.names` tells it).  The benchmark in ``bench/`` uses its own generator with
spellings from external sources; this one is for unit tests and timing.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from kinlink.calendars import ApproxDate, parse_birth_date

from .records import MatchRequest, PersonRecord

__all__ = ["Names", "SyntheticRegistry", "make_registry", "make_requests"]

# (Persian script, Latin spellings...)
_MALE: list[tuple[str, ...]] = [
    ("محمد", "Mohammad", "Mohammed", "Muhammad", "Mohamad"),
    ("علی", "Ali"),
    ("حسین", "Hossein", "Hussein", "Hosein", "Husain"),
    ("رضا", "Reza", "Rida"),
    ("حسن", "Hassan", "Hasan"),
    ("مهدی", "Mehdi", "Mahdi"),
    ("محمدرضا", "Mohammadreza", "Mohammad Reza", "Mohamad Reza"),
    ("مسعود", "Masoud", "Massoud", "Masud"),
    ("عباس", "Abbas"),
    ("احمد", "Ahmad", "Ahmed"),
    ("جواد", "Javad", "Jawad"),
    ("مجید", "Majid"),
    ("سعید", "Saeed", "Said", "Saied"),
    ("حمید", "Hamid"),
    ("امیر", "Amir"),
    ("مصطفی", "Mostafa", "Mustafa"),
    ("مرتضی", "Morteza", "Murtaza"),
    ("ابراهیم", "Ebrahim", "Ibrahim"),
    ("محمود", "Mahmoud", "Mahmood"),
    ("کریم", "Karim"),
    ("جعفر", "Jafar", "Jaafar"),
    ("کاظم", "Kazem", "Kadhim"),
    ("داود", "Davoud", "Dawood", "Davood"),
    ("یوسف", "Yousef", "Yusuf", "Yosef"),
    ("بهروز", "Behrouz", "Behrooz"),
    ("فرهاد", "Farhad"),
    ("بهرام", "Bahram"),
    ("داریوش", "Dariush", "Daryoush"),
    ("کوروش", "Kourosh", "Kurosh", "Cyrus"),
    ("اکبر", "Akbar"),
    ("اصغر", "Asghar"),
    ("ناصر", "Naser", "Nasser"),
    ("منصور", "Mansour", "Mansoor"),
    ("غلامرضا", "Gholamreza", "Gholam Reza"),
    ("علیرضا", "Alireza", "Ali Reza"),
    ("صادق", "Sadegh", "Sadeq"),
    ("قاسم", "Ghasem", "Qasem", "Qassem"),
    ("رحیم", "Rahim"),
    ("یعقوب", "Yaghoub", "Yaqub"),
    ("اسماعیل", "Esmaeil", "Ismail", "Esmail"),
    ("هادی", "Hadi"),
    ("مهران", "Mehran"),
    ("پرویز", "Parviz", "Parwiz"),
    ("شهرام", "Shahram"),
    ("کامران", "Kamran"),
    ("سیامک", "Siamak"),
    ("نادر", "Nader", "Nadir"),
    ("بیژن", "Bijan", "Bizhan"),
    ("ایرج", "Iraj"),
    ("منوچهر", "Manouchehr", "Manuchehr"),
]
_FEMALE: list[tuple[str, ...]] = [
    ("فاطمه", "Fatemeh", "Fatima", "Fatemah"),
    ("زهرا", "Zahra"),
    ("مریم", "Maryam", "Mariam"),
    ("معصومه", "Masoumeh", "Masumeh"),
    ("زینب", "Zeinab", "Zaynab"),
    ("فرشته", "Fereshteh", "Fereshte"),
    ("یگانه", "Yeganeh", "Yaganeh"),
    ("پروین", "Parvin", "Parwin"),
    ("لیلا", "Leila", "Layla", "Leyla"),
    ("سکینه", "Sakineh", "Sakina"),
    ("رویا", "Roya"),
    ("شیرین", "Shirin"),
    ("مهناز", "Mahnaz"),
    ("نسرین", "Nasrin"),
    ("سهیلا", "Soheila", "Soheyla"),
    ("اعظم", "Azam"),
    ("مینا", "Mina"),
    ("الهام", "Elham"),
    ("نرگس", "Narges"),
    ("سمیه", "Somayeh", "Somaye"),
    ("طاهره", "Tahereh", "Tahere"),
    ("اشرف", "Ashraf"),
    ("منیژه", "Manijeh", "Manizheh"),
    ("ژیلا", "Zhila", "Jila"),
    ("شهلا", "Shahla"),
    ("ناهید", "Nahid"),
    ("پری", "Pari"),
    ("مهری", "Mehri"),
    ("فریبا", "Fariba"),
    ("آزاده", "Azadeh", "Azade"),
    ("نازنین", "Nazanin"),
    ("مرضیه", "Marzieh", "Marziyeh"),
    ("راضیه", "Razieh"),
    ("کبری", "Kobra"),
    ("صغری", "Soghra"),
    ("بتول", "Batoul", "Batool"),
    ("خدیجه", "Khadijeh", "Khadija"),
    ("عاطفه", "Atefeh", "Atefe"),
    ("نیلوفر", "Niloufar", "Nilufar"),
    ("گلناز", "Golnaz"),
]
# family-name stems and suffixes: family = stem (+ stem) + suffix
_STEMS: list[tuple[str, ...]] = [
    ("حسین", "Hossein", "Hosein", "Hussein"),
    ("موسو", "Mousav", "Moosav", "Musav"),
    ("محمد", "Mohammad", "Mohamad"),
    ("احمد", "Ahmad"),
    ("رضا", "Reza"),
    ("کریم", "Karim"),
    ("هاشم", "Hashem", "Hashim"),
    ("جعفر", "Jafar", "Jaafar"),
    ("رحیم", "Rahim"),
    ("مراد", "Morad", "Murad"),
    ("صادق", "Sadegh", "Sadeq"),
    ("قاسم", "Ghasem", "Qasem"),
    ("کاظم", "Kazem"),
    ("حیدر", "Heidar", "Haidar", "Heydar"),
    ("رجب", "Rajab"),
    ("اکبر", "Akbar"),
    ("صالح", "Saleh"),
    ("علو", "Alav", "Alaw"),
    ("باقر", "Bagher", "Baqer"),
    ("اسد", "Asad"),
    ("ابراهیم", "Ebrahim", "Ibrahim"),
    ("زمان", "Zaman"),
    ("یوسف", "Yousef", "Yusef"),
    ("نجف", "Najaf"),
    ("عباس", "Abbas"),
    ("شیراز", "Shiraz"),
    ("نور", "Nour", "Noor"),
    ("طاهر", "Taher", "Tahir"),
    ("امین", "Amin"),
    ("فرهاد", "Farhad"),
    ("بهرام", "Bahram"),
    ("جمال", "Jamal"),
    ("کمال", "Kamal"),
    ("سلطان", "Soltan", "Sultan"),
    ("خسرو", "Khosrow", "Khosro"),
    ("منصور", "Mansour", "Mansur"),
    ("نصر", "Nasr"),
    ("فتح", "Fath"),
    ("شاه", "Shah"),
    ("میر", "Mir"),
    ("گل", "Gol", "Gul"),
    ("بابا", "Baba"),
    ("آقا", "Agha", "Aqa"),
    ("قلی", "Gholi", "Qoli"),
    ("دوست", "Doust", "Dust"),
    ("بخش", "Bakhsh"),
    ("زند", "Zand"),
    ("کیان", "Kian", "Kiyan"),
    ("ایزد", "Izad", "Ezad"),
    ("پاک", "Pak"),
]
_SUFFIXES: list[tuple[str, ...]] = [
    ("ی", "i"),
    ("زاده", "zadeh", "zade"),
    ("پور", "pour", "pur"),
    ("نیا", "nia"),
    ("فر", "far"),
    ("یان", "ian", "yan"),
    ("نژاد", "nejad", "nezhad"),
    ("لو", "lou", "lu"),
    ("وند", "vand"),
]
_PLACES: list[tuple[str, ...]] = [
    ("تهران", "Tehran", "Teheran"),
    ("مشهد", "Mashhad", "Mashad"),
    ("اصفهان", "Isfahan", "Esfahan"),
    ("تبریز", "Tabriz"),
    ("شیراز", "Shiraz"),
    ("اهواز", "Ahvaz", "Ahwaz"),
    ("کرمانشاه", "Kermanshah"),
    ("رشت", "Rasht"),
    ("قم", "Qom", "Ghom"),
    ("کرج", "Karaj"),
    ("همدان", "Hamadan"),
    ("کرمان", "Kerman"),
    ("ارومیه", "Urmia", "Orumiyeh"),
    ("زاهدان", "Zahedan"),
    ("آبادان", "Abadan"),
    ("دزفول", "Dezful", "Dezfoul"),
    ("سنندج", "Sanandaj"),
    ("ایلام", "Ilam"),
    ("بغداد", "Baghdad"),
    ("بصره", "Basra", "Basrah"),
    ("نجف", "Najaf"),
    ("کربلا", "Karbala"),
    ("اراک", "Arak"),
    ("یزد", "Yazd"),
    ("قزوین", "Qazvin", "Ghazvin"),
    ("زنجان", "Zanjan"),
    ("بندرعباس", "Bandar Abbas"),
    ("خرم‌آباد", "Khorramabad"),
    ("گرگان", "Gorgan"),
    ("ساری", "Sari"),
]


@dataclass(frozen=True)
class Names:
    persian: str
    latin: tuple[str, ...]

    def spell(self, rng: random.Random, script: str) -> str:
        return self.persian if script == "fa" else rng.choice(self.latin)


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


def _family_names(rng: random.Random, n: int) -> list[Names]:
    out: dict[str, Names] = {}
    # one-stem names first (common), then two-stem names (the long tail)
    for stem in _STEMS:
        for suf in _SUFFIXES:
            fa = stem[0] + suf[0]
            lat = tuple(s + x for s in stem[1:] for x in suf[1:])
            out.setdefault(fa, Names(fa, lat))
    attempts = 0
    while len(out) < n and attempts < 20 * n:
        attempts += 1
        a, b, suf = rng.choice(_STEMS), rng.choice(_STEMS), rng.choice(_SUFFIXES)
        if a is b:
            continue
        fa = a[0] + b[0] + suf[0]
        lat = tuple(x + y.lower() + z for x in a[1:2] for y in b[1:] for z in suf[1:])
        out.setdefault(fa, Names(fa, lat))
    names = list(out.values())
    # keep the one-stem names in front (they get the high Zipf weights) but shuffle them
    head = names[: len(_STEMS) * len(_SUFFIXES)]
    tail = names[len(_STEMS) * len(_SUFFIXES) :]
    rng.shuffle(head)
    return head + tail


class _Pools:
    def __init__(self, rng: random.Random, n_family: int) -> None:
        self.male = [Names(x[0], x[1:]) for x in _MALE]
        self.female = [Names(x[0], x[1:]) for x in _FEMALE]
        self.family = _family_names(rng, n_family)
        self.places = [Names(x[0], x[1:]) for x in _PLACES]
        self.w_male = _cum(_zipf_weights(len(self.male), 1.0))
        self.w_female = _cum(_zipf_weights(len(self.female), 1.0))
        self.w_family = _cum(_zipf_weights(len(self.family), 0.7))
        self.w_places = _cum(_zipf_weights(len(self.places), 0.8))


@dataclass
class _Truth:
    gender: str
    given: Names
    family: Names
    father: Names
    mother: Names
    place: Names
    year: int
    month: int
    day: int


def _cum(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, pool: Sequence[Names], cum: Sequence[float], k: int) -> list[Names]:
    return rng.choices(pool, cum_weights=cum, k=k)


def _birth(rng: random.Random, t: _Truth, mode: str) -> ApproxDate | None:
    import jdatetime

    if mode == "none":
        return None
    if mode == "year":
        return parse_birth_date(str(t.year))
    if mode == "date":
        return parse_birth_date(f"{t.year:04d}-{t.month:02d}-{t.day:02d}")
    j = jdatetime.date.fromgregorian(year=t.year, month=t.month, day=t.day)
    if mode == "sh_year":
        return parse_birth_date(str(j.year))
    return parse_birth_date(f"{j.year:04d}-{j.month:02d}-{j.day:02d}")


_BIRTH_MODES = ["year", "date", "sh_year", "sh_date", "none"]
_BIRTH_W = [0.4, 0.3, 0.1, 0.1, 0.1]


def _truths(rng: random.Random, pools: _Pools, n: int) -> list[_Truth]:
    out = []
    for _ in range(n):
        gender = "M" if rng.random() < 0.6 else "F"
        given = _pick(
            rng,
            pools.male if gender == "M" else pools.female,
            pools.w_male if gender == "M" else pools.w_female,
            1,
        )[0]
        fam = _pick(rng, pools.family, pools.w_family, 1)[0]
        father = _pick(rng, pools.male, pools.w_male, 1)[0]
        mother = _pick(rng, pools.female, pools.w_female, 1)[0]
        place = _pick(rng, pools.places, pools.w_places, 1)[0]
        out.append(
            _Truth(
                gender,
                given,
                fam,
                father,
                mother,
                place,
                rng.randint(1940, 2005),
                rng.randint(1, 12),
                rng.randint(1, 28),
            )
        )
    return out


def _record(
    rng: random.Random, pid: object, t: _Truth, *, cls: type = PersonRecord
) -> PersonRecord:
    script = "fa" if rng.random() < 0.4 else "latin"
    return cls(
        id=pid,
        given_name=t.given.spell(rng, script),
        family_name=t.family.spell(rng, script),
        father_name=t.father.spell(rng, script) if rng.random() < 0.85 else None,
        mother_name=t.mother.spell(rng, script) if rng.random() < 0.6 else None,
        birth=_birth(rng, t, rng.choices(_BIRTH_MODES, _BIRTH_W)[0]),
        gender=t.gender if rng.random() < 0.9 else None,
        birth_place=t.place.spell(rng, script) if rng.random() < 0.75 else None,
    )


class SyntheticRegistry(list):
    """A list of :class:`PersonRecord` that remembers the true identity behind each."""

    truths: dict[object, _Truth]


def make_registry(n: int, seed: int = 1, *, n_family: int | None = None) -> SyntheticRegistry:
    """``n`` synthetic registry persons with ids ``P0..P{n-1}``.

    About 40% are written in Persian script, the rest in one of several Latin spellings;
    names follow Zipf-like frequencies, so common names are very common.
    """
    rng = random.Random(seed)
    pools = _Pools(rng, n_family or min(max(600, n // 20), 20_000))
    truths = _truths(rng, pools, n)
    out = SyntheticRegistry(_record(rng, f"P{i}", t) for i, t in enumerate(truths))
    out.truths = {r.id: t for r, t in zip(out, truths, strict=True)}
    return out


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4 or not text.isascii():
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.random()
    if op < 0.4:
        return text[:i] + text[i + 1 :]  # drop a letter
    if op < 0.7:
        return text[:i] + text[i] + text[i:]  # double a letter
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]  # swap two


def make_requests(
    registry: SyntheticRegistry,
    n_present: int,
    n_absent: int = 0,
    seed: int = 2,
    *,
    swap_rate: float = 0.05,
    typo_rate: float = 0.1,
) -> tuple[list[MatchRequest], dict[object, object | None]]:
    """Requests about registry persons (re-spelt, fields dropped, years approximate,
    some swapped or with typos) and about absent persons; returns (requests, truth)
    where truth maps request id -> person id or None."""
    rng = random.Random(seed)
    pools = _Pools(random.Random(1), 600)
    chosen = rng.sample(list(registry), n_present)
    requests: list[MatchRequest] = []
    truth: dict[object, object | None] = {}
    for i, rec in enumerate(chosen):
        t = registry.truths[rec.id]
        rid = f"R{i}"
        requests.append(_request_from_truth(rng, rid, t, swap_rate, typo_rate))
        truth[rid] = rec.id
    for j, t in enumerate(_truths(rng, pools, n_absent)):
        rid = f"A{j}"
        requests.append(_request_from_truth(rng, rid, t, swap_rate, typo_rate))
        truth[rid] = None
    return requests, truth


def _request_from_truth(
    rng: random.Random, rid: str, t: _Truth, swap_rate: float, typo_rate: float
) -> MatchRequest:
    script = "fa" if rng.random() < 0.3 else "latin"
    given = t.given.spell(rng, script)
    family = t.family.spell(rng, script)
    if rng.random() < typo_rate:
        given = _typo(rng, given)
    if rng.random() < typo_rate:
        family = _typo(rng, family)
    if rng.random() < swap_rate:
        given, family = family, given
    r = rng.random()
    if r < 0.55:
        birth: ApproxDate | None = parse_birth_date(str(t.year))
    elif r < 0.7:
        birth = parse_birth_date(f"about {t.year + rng.choice((-2, -1, 1, 2))}")
    elif r < 0.8:
        birth = parse_birth_date(f"{t.year:04d}-{t.month:02d}-{t.day:02d}")
    elif r < 0.9:
        birth = _birth(rng, t, "sh_year")
    else:
        birth = None
    return MatchRequest(
        id=rid,
        given_name=given,
        family_name=family,
        father_name=t.father.spell(rng, script) if rng.random() < 0.8 else None,
        mother_name=t.mother.spell(rng, script) if rng.random() < 0.4 else None,
        birth=birth,
        gender=t.gender if rng.random() < 0.7 else None,
        birth_place=t.place.spell(rng, script) if rng.random() < 0.6 else None,
    )
