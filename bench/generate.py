"""Generate the labelled cross-script benchmark (synthetic people only).

    .venv/bin/python -m bench.generate --size 20k            # bench/data/20k/
    .venv/bin/python -m bench.generate --size 1m             # bench/data/1m/
    .venv/bin/python -m bench.generate --size 20k --csv      # also CSV for `kinlink link`

Writes ``registry.parquet``, ``enquiries.parquet`` and ``manifest.json`` under
``bench/data/<size>/``. Every person is a random combination of listed names;
no real person is described. Every name variant is tagged with the source that
produced it (see bench/sources/__init__.py); the sources are outside kinlink.

Splits: ``split == "train"`` enquiries may be given to the engine's tuning
(`kinlink.matching` fit function) together with the registry; ``split == "eval"``
enquiries are scored. The held-out source (default ``uroman``) is used by no
registry record and no training enquiry: it appears only in the eval split, and
the runner reports recall on it separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import inspect
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.lexicon import (
    NameEntity,
    ascii_fold,
    build_lexicon,
    render,
    to_arabic_codepoints,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

SIZES = {  # registry persons, eval enquiries, train enquiries
    "tiny": (2_000, 500, 300),
    "20k": (20_000, 5_000, 2_000),
    "1m": (1_000_000, 100_000, 10_000),
}

TABLE_SOURCES = ["bgn-pcgn", "ala-lc", "din-31635", "iran-common"]
SCRIPT_ROMANISERS = ["anyascii", "unidecode", "uroman", "farsi-faker", "saara"]
ALL_SOURCES = [
    "fa-script",
    "ar-script",
    "name-variants",
    "finglish",
    *TABLE_SOURCES,
    *SCRIPT_ROMANISERS,
]
DEFAULT_HELD_OUT = "uroman"

# how registry records are written (the held-out source is never among them)
REGISTRY_SOURCES = {
    "fa-script": 0.45,
    "ar-script": 0.10,
    "iran-common": 0.25,
    "name-variants": 0.10,
    "bgn-pcgn": 0.05,
    "finglish": 0.05,
}
# how enquiries are written: the family's own spelling, from any source
ENQUIRY_SOURCES = {
    "fa-script": 0.14,
    "ar-script": 0.07,
    "name-variants": 0.10,
    "finglish": 0.05,
    "bgn-pcgn": 0.07,
    "ala-lc": 0.07,
    "din-31635": 0.05,
    "iran-common": 0.14,
    "anyascii": 0.05,
    "unidecode": 0.05,
    "uroman": 0.07,
    "farsi-faker": 0.07,
    "saara": 0.07,
}
ABSENT_SHARE = 0.25
#: How often an enquiry gives a compound given name (Mohammadreza) by its second part (Reza).
COMPOUND_PART_SHARE = 0.15
#: How often a family gives the birth year wrong, and by how much (bench/ambiguity.py
#: reads these to compute the Bayes floor of the false alarms).
YEAR_OFF_SHARE = 0.3
YEAR_OFFSETS = (-3, -2, -1, -1, 1, 1, 2, 3)
LATIN_FOLD_P = 0.7  # share of table renderings typed without diacritics


# --------------------------------------------------------------------------- romanisers


@functools.cache
def _uroman():
    import uroman

    return uroman.Uroman()


@functools.cache
def _saara():
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        from saara.translit_ar import TranslitArabic

        return TranslitArabic()


@functools.cache
def _f2p():
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        from finglish import f2p

        f2p("test")  # loads its dictionary (prints "Loading dictionary...")
    return f2p


_PERSIAN_ONLY_TO_ARABIC = str.maketrans({"پ": "ب", "چ": "ج", "ژ": "ز", "گ": "ك"})


def _cap(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


def source_variants(e: NameEntity, source: str) -> list[str]:
    """Every spelling of entity ``e`` that ``source`` produces (cached per run)."""
    if source == "fa-script":
        return [e.script]
    if source == "ar-script":
        return [to_arabic_codepoints(e.script)]
    if source == "name-variants":
        return [_cap(f) for f in e.forms] or []
    if source == "finglish":
        out = _f2p()(e.reading)
        return [out] if out and out != e.reading else []
    if source in TABLE_SOURCES:
        full = render(e.tokens, source)
        return [full, ascii_fold(full)]
    if source == "anyascii":
        from anyascii import anyascii

        return [_cap(anyascii(e.script).replace("`", "'"))]
    if source == "unidecode":
        from unidecode import unidecode

        return [_cap(unidecode(e.script).replace("`", "'"))]
    if source == "uroman":
        return [_cap(_uroman().romanize_string(e.script, lcode="fas"))]
    if source == "farsi-faker":
        from farsi_faker.romanization import to_latin

        return [_cap(to_latin(e.script))]
    if source == "saara":
        # saara is an Arabic transliterator: the Persian-only letters are given to it as
        # an Arabic writer spells them (پ چ ژ گ -> ب ج ز ك); a letter it still cannot
        # render comes back as "[UNK]" and is dropped, as a person would leave it out
        arabic = to_arabic_codepoints(e.script).translate(_PERSIAN_ONLY_TO_ARABIC)
        out = _saara().transliterate(arabic).replace("[UNK]", "")
        return [_cap(out), _cap(ascii_fold(out))]
    raise ValueError(f"unknown source {source!r}")


class VariantTable:
    """Precomputed spellings: entity index -> source -> list of strings.

    Cached in bench/data/variants-cache.json (keyed by the lexicon and the source
    packages' versions), since the vocalising romaniser (saara) is slow."""

    def __init__(self, entities: list[NameEntity], sources: list[str]):
        import hashlib
        from importlib.metadata import version

        pkgs = [
            "anyascii",
            "unidecode",
            "uroman",
            "farsi-faker",
            "salang-saara",
            "finglish",
            "name-variants",
            "faker",
            "persian-names",
            "persian-gender-detection",
        ]
        key_src = json.dumps(
            [[e.script, e.reading, e.kind, e.forms] for e in entities]
            + [version(p) for p in pkgs]
            + sources,
            ensure_ascii=False,
        )
        src_files = sorted(Path(__file__).resolve().parent.glob("sources/*.py"))
        key_src += "".join(f.read_text() for f in src_files)
        key_src += Path(__file__).resolve().parent.joinpath("lexicon.py").read_text()
        key_src += inspect.getsource(source_variants)
        key = hashlib.sha256(key_src.encode()).hexdigest()[:16]
        cache = DATA_DIR / f"variants-{key}.json"
        if cache.exists():
            self.table = json.loads(cache.read_text())
            return
        self.table = []
        for e in entities:
            self.table.append({s: [v for v in source_variants(e, s) if v.strip()] for s in sources})
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(self.table, ensure_ascii=False))

    def pick(self, idx: int, source: str, rng: random.Random) -> tuple[str, str]:
        """A spelling of entity idx by ``source``; falls back to iran-common when the
        source has none (name-variants lists only some names). Returns (text, source)."""
        options = self.table[idx][source]
        if not options:
            source = "iran-common"
            options = self.table[idx][source]
        if source in TABLE_SOURCES or source == "saara":
            text = options[1] if rng.random() < LATIN_FOLD_P else options[0]
        else:
            text = rng.choice(options)
        return text, source


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    pid: str
    gender: str
    given: int
    family: int
    father: int
    mother: int
    place: int
    birth: dt.date
    alias: int  # -1 when none; an organisational name


class Population:
    def __init__(self, entities: list[NameEntity], rng: np.random.Generator):
        self.entities = entities
        self.rng = rng
        self.by_kind: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for kind in ("m", "f", "family", "place"):
            idx = np.array([i for i, e in enumerate(entities) if e.kind == kind])
            w = np.array([entities[i].weight for i in idx], dtype=float)
            self.by_kind[kind] = (idx, np.cumsum(w) / w.sum())

    def draw(self, kind: str, n: int) -> np.ndarray:
        idx, cdf = self.by_kind[kind]
        return idx[np.searchsorted(cdf, self.rng.random(n), side="right").clip(0, len(idx) - 1)]

    def people(self, n: int, prefix: str) -> list[Person]:
        rng = self.rng
        male = rng.random(n) < 0.55
        gm, gf = self.draw("m", n), self.draw("f", n)
        am, af = self.draw("m", n), self.draw("f", n)
        fam, fathers, mothers = self.draw("family", n), self.draw("m", n), self.draw("f", n)
        places = self.draw("place", n)
        has_alias = rng.random(n) < 0.08
        days = rng.integers(0, 365 * 55, n)
        base = dt.date(1950, 1, 1)
        out = []
        for i in range(n):
            m = bool(male[i])
            out.append(
                Person(
                    pid=f"{prefix}{i:07d}",
                    gender="M" if m else "F",
                    given=int(gm[i] if m else gf[i]),
                    family=int(fam[i]),
                    father=int(fathers[i]),
                    mother=int(mothers[i]),
                    place=int(places[i]),
                    birth=base + dt.timedelta(days=int(days[i])),
                    alias=int(am[i] if m else af[i]) if has_alias[i] else -1,
                )
            )
        return out


def solar_hijri(d: dt.date) -> tuple[int, int, int]:
    import jdatetime

    j = jdatetime.date.fromgregorian(date=d)
    return j.year, j.month, j.day


# --------------------------------------------------------------------------- noise

_FA_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def typo(text: str, rng: random.Random) -> str:
    """One keyboard-style edit: delete, insert, substitute or transpose a letter."""
    if len(text) < 3:
        return text
    latin = not any("\u0600" <= ch <= "\u06ff" for ch in text)
    alphabet = _LATIN_LETTERS if latin else _FA_LETTERS
    i = rng.randrange(1, len(text))  # keep the first letter, as most typos do
    op = rng.random()
    if op < 0.3:
        out = text[:i] + text[i + 1 :]
    elif op < 0.55:
        out = text[:i] + rng.choice(alphabet) + text[i:]
    elif op < 0.8:
        out = text[:i] + rng.choice(alphabet) + text[i + 1 :]
    else:
        i = min(i, len(text) - 2)
        out = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return out if out.strip() else text


def toggle_compound(text: str, rng: random.Random) -> str:
    """Split a joined compound name or join a split one (Mohammadreza / Mohammad Reza)."""
    if " " in text.strip():
        joiner = rng.choice(["", "-", "\u200c"]) if not text.isascii() else rng.choice(["", "-"])
        if text.isascii() and joiner == "":
            parts = text.split()
            return parts[0] + "".join(p.lower() for p in parts[1:])
        return text.replace(" ", joiner, 1)
    return text


# --------------------------------------------------------------------------- generator


def compound_parts(entities: list[NameEntity]) -> dict[int, tuple[int, int]]:
    """Given names that are two listed given names joined (محمدرضا = محمد + رضا)."""
    by_script = {(e.script, e.kind): i for i, e in enumerate(entities)}
    out = {}
    for i, e in enumerate(entities):
        if e.kind not in ("m", "f"):
            continue
        s = e.script.replace(" ", "")
        for k in range(2, len(s) - 1):
            a, b = by_script.get((s[:k], "m")), by_script.get((s[k:], e.kind))
            b = b if b is not None else by_script.get((s[k:], "m"))
            if a is not None and b is not None:
                out[i] = (a, b)
                break
    return out


def write_table(rows: list[dict], path: Path, csv_too: bool) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    cols = list(rows[0])
    table = pa.table({c: [r[c] for r in rows] for c in cols})
    pq.write_table(table, path.with_suffix(".parquet"))
    if csv_too:
        # `kinlink link` reads an `id` column; the label columns are extra and ignored
        table = table.add_column(0, "id", table.column(cols[0]))
        pacsv.write_csv(table, path.with_suffix(".csv"))


def generate(
    size: str = "20k",
    seed: int = 1,
    held_out: str = DEFAULT_HELD_OUT,
    n_registry: int | None = None,
    n_eval: int | None = None,
    n_train: int | None = None,
    out_dir: Path | None = None,
    csv_too: bool = False,
    quiet: bool = False,
    max_names: int | None = None,
    exclude_sources: frozenset[str] = frozenset(),
) -> Path:
    t0 = time.time()
    d_reg, d_eval, d_train = SIZES[size]
    n_registry = n_registry or d_reg
    n_eval = n_eval if n_eval is not None else d_eval
    n_train = n_train if n_train is not None else d_train
    out_dir = out_dir or DATA_DIR / size
    out_dir.mkdir(parents=True, exist_ok=True)
    if held_out not in ALL_SOURCES:
        raise SystemExit(f"--held-out must be one of {ALL_SOURCES}")

    entities = list(build_lexicon())
    sources = [s for s in ALL_SOURCES if s not in exclude_sources]
    if max_names:  # a smaller lexicon, for fast tests: the most frequent names of each kind
        keep = []
        for kind in ("m", "f", "family", "place"):
            of_kind = [e for e in entities if e.kind == kind]
            keep += sorted(of_kind, key=lambda e: -e.weight)[:max_names]
        entities = keep
    reg_sources = {k: v for k, v in REGISTRY_SOURCES.items() if k != held_out and k in sources}
    enq_sources = {k: v for k, v in ENQUIRY_SOURCES.items() if k in sources}
    vt = VariantTable(entities, sources)
    compounds = compound_parts(entities)
    if not quiet:
        print(f"lexicon: {len(entities)} names; variants ready in {time.time() - t0:.1f}s")

    nrng = np.random.default_rng(seed)
    rng = random.Random(seed)
    pop = Population(entities, nrng)
    registry_people = pop.people(n_registry, "P")
    n_enq = n_eval + n_train
    n_absent = round(n_enq * ABSENT_SHARE)
    absent_people = pop.people(n_absent, "A")

    def choose(dist: dict[str, float]) -> str:
        r = rng.random() * sum(dist.values())
        for k, w in dist.items():
            r -= w
            if r <= 0:
                return k
        return k

    # ---------------- registry
    reg_rows = []
    alias_primary = np.zeros(n_registry, dtype=bool)
    for ri, p in enumerate(registry_people):
        src = choose(reg_sources)
        given, _ = vt.pick(p.given, src, rng)
        aliases = []
        if p.alias >= 0:
            alias, _ = vt.pick(p.alias, src, rng)
            if rng.random() < 0.5:  # registry knows the organisational name first
                given, alias = alias, given
                alias_primary[ri] = True
            aliases.append(alias)
        r = rng.random()
        if r < 0.60:
            birth = p.birth.isoformat()
        elif r < 0.80:
            y, m, d = solar_hijri(p.birth)
            birth = f"{y:04d}-{m:02d}-{d:02d}"
        elif r < 0.95:
            birth = str(p.birth.year)
        else:
            birth = ""
        reg_rows.append(
            {
                "person_id": p.pid,
                "given_name": given,
                "family_name": vt.pick(p.family, src, rng)[0],
                "father_name": vt.pick(p.father, src, rng)[0] if rng.random() < 0.8 else "",
                "mother_name": vt.pick(p.mother, src, rng)[0] if rng.random() < 0.5 else "",
                "birth_date": birth,
                "gender": p.gender if rng.random() < 0.95 else "",
                "birth_place": vt.pick(p.place, src, rng)[0] if rng.random() < 0.85 else "",
                "aliases": "|".join(aliases),
                "source": src,
            }
        )

    # ---------------- enquiries
    # which persons are sought: a random sample of registry persons (distinct)
    sought = nrng.choice(n_registry, size=min(n_enq - n_absent, n_registry), replace=False)
    targets: list[tuple[Person, bool]] = [(registry_people[int(i)], True) for i in sought]
    targets += [(p, False) for p in absent_people]
    rng.shuffle(targets)
    train_sources = {k: v for k, v in enq_sources.items() if k != held_out}
    enq_rows = []
    enq_truth: list[dict] = []
    for k, (p, present) in enumerate(targets):
        split = "train" if k < n_train else "eval"
        src = choose(train_sources if split == "train" else enq_sources)
        noise: list[str] = []
        given_idx = p.given
        if given_idx in compounds and rng.random() < COMPOUND_PART_SHARE:
            given_idx = compounds[given_idx][1]  # called by the second part (Reza)
            noise.append("compound-part")
        given, used = vt.pick(given_idx, src, rng)
        family, used_f = vt.pick(p.family, src, rng)
        src_tag = used if used != src and used_f != src else src
        if (given_idx in compounds or " " in given) and rng.random() < 0.5:
            new = toggle_compound(given, rng)
            if new != given:
                given = new
                noise.append("compound-split-join")
        if rng.random() < 0.25:
            if rng.random() < 0.6:
                given = typo(given, rng)
            else:
                family = typo(family, rng)
            noise.append("typo")
        if present and alias_primary[int(p.pid[1:])]:
            noise.append("alias-in-registry")
        if rng.random() < 0.08:
            given, family = family, given
            noise.append("swapped")
        father = vt.pick(p.father, src, rng)[0] if rng.random() < 0.7 else ""
        mother = vt.pick(p.mother, src, rng)[0] if rng.random() < 0.45 else ""
        if not father:
            noise.append("no-father")
        place = vt.pick(p.place, src, rng)[0] if rng.random() < 0.7 else ""
        gender = p.gender if rng.random() < 0.8 else ""
        r = rng.random()
        year = p.birth.year
        if r < 0.10:
            birth = ""
            noise.append("no-birth")
        else:
            if rng.random() < YEAR_OFF_SHARE:
                year += rng.choice(YEAR_OFFSETS)
                noise.append("year-off")
            if rng.random() < 0.2:
                birth = str(solar_hijri(p.birth)[0] + (year - p.birth.year))
                noise.append("solar-hijri")
            elif rng.random() < 0.35 and "year-off" not in noise:
                birth = p.birth.isoformat()
            else:
                birth = str(year)
                noise.append("year-only")
        enq_truth.append(
            {
                "request_id": f"R{k:07d}",
                "given": given_idx,
                "family": p.family,
                "father": p.father if father else -1,
                "mother": p.mother if mother else -1,
                "place": p.place if place else -1,
                "gender": gender,
                "year": year if birth else -1,
            }
        )
        enq_rows.append(
            {
                "request_id": f"R{k:07d}",
                "given_name": given,
                "family_name": family,
                "father_name": father,
                "mother_name": mother,
                "birth_date": birth,
                "gender": gender,
                "birth_place": place,
                "true_person_id": p.pid if present else "",
                "source": src_tag,
                "noise": "|".join(noise),
                "split": split,
            }
        )

    write_table(reg_rows, out_dir / "registry", csv_too)
    write_table(enq_rows, out_dir / "enquiries", csv_too)
    # the underlying names (lexicon entity numbers) behind each record, for
    # bench/ambiguity.py: how many registry persons fit an enquiry as well as the true one
    write_table(
        [
            {
                "person_id": p.pid,
                "given": p.given,
                "alias": p.alias,
                "family": p.family,
                "father": p.father if row["father_name"] else -1,
                "mother": p.mother if row["mother_name"] else -1,
                "place": p.place if row["birth_place"] else -1,
                "gender": p.gender if row["gender"] else "",
                "birth_year": p.birth.year if row["birth_date"] else -1,
            }
            for p, row in zip(registry_people, reg_rows, strict=True)
        ],
        out_dir / "registry_truth",
        False,
    )
    write_table(enq_truth, out_dir / "enquiries_truth", False)
    manifest = {
        "size": size,
        "seed": seed,
        "held_out_source": held_out,
        "registry_persons": n_registry,
        "eval_enquiries": n_eval,
        "train_enquiries": n_train,
        "absent_share": ABSENT_SHARE,
        "sources": sources,
        "registry_sources": reg_sources,
        "enquiry_sources": enq_sources,
        "lexicon_names": len(entities),
        # compound given name -> its second part, as lexicon numbers (bench/ambiguity.py)
        "compound_parts": sorted([full, part] for full, (_, part) in compounds.items()),
        "seconds": round(time.time() - t0, 1),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    if not quiet:
        print(
            f"wrote {out_dir} ({n_registry} persons, {len(enq_rows)} enquiries) "
            f"in {time.time() - t0:.1f}s"
        )
    return out_dir


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="20k")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--held-out", default=DEFAULT_HELD_OUT, help="source kept out of tuning")
    ap.add_argument("--registry", type=int, help="override the number of registry persons")
    ap.add_argument("--enquiries", type=int, help="override the number of eval enquiries")
    ap.add_argument("--train", type=int, help="override the number of train enquiries")
    ap.add_argument("--out", type=Path, help="output folder (default bench/data/SIZE)")
    ap.add_argument("--csv", action="store_true", help="also write CSV files")
    a = ap.parse_args(argv)
    generate(a.size, a.seed, a.held_out, a.registry, a.enquiries, a.train, a.out, a.csv)


if __name__ == "__main__":
    main()
