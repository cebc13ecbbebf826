"""The benchmark generator: deterministic, labels consistent, held-out source kept out."""

from __future__ import annotations

import importlib.util

import pytest

NEEDED = [
    "faker",
    "uroman",
    "anyascii",
    "unidecode",
    "finglish",
    "name_variants",
    "persian_names",
    "farsi_faker",
    "persian_gender_detection",
    "saara",
    "pyarrow",
]


def test_every_name_source_is_installed():
    missing = [m for m in NEEDED if importlib.util.find_spec(m) is None]
    assert not missing, (
        f"the bench extra lacks {missing}: scripts/install.sh test,bench installs them"
    )


# uroman and saara are slow to load; the held-out mechanics are the same for any source
FAST = frozenset({"uroman", "saara"})


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from bench.generate import generate

    a = generate(
        "tiny",
        seed=7,
        n_registry=400,
        n_eval=150,
        n_train=80,
        out_dir=tmp_path_factory.mktemp("a"),
        quiet=True,
        max_names=40,
        held_out="anyascii",
        exclude_sources=FAST,
    )
    b = generate(
        "tiny",
        seed=7,
        n_registry=400,
        n_eval=150,
        n_train=80,
        out_dir=tmp_path_factory.mktemp("b"),
        quiet=True,
        max_names=40,
        held_out="anyascii",
        exclude_sources=FAST,
    )
    c = generate(
        "tiny",
        seed=8,
        n_registry=400,
        n_eval=150,
        n_train=80,
        out_dir=tmp_path_factory.mktemp("c"),
        quiet=True,
        max_names=40,
        held_out="anyascii",
        exclude_sources=FAST,
    )
    return a, b, c


def _rows(path, name):
    import pyarrow.parquet as pq

    return pq.read_table(path / f"{name}.parquet").to_pylist()


def test_same_seed_same_data_other_seed_other_data(tiny):
    a, b, c = tiny
    for name in ("registry", "enquiries"):
        assert _rows(a, name) == _rows(b, name)
        assert _rows(a, name) != _rows(c, name)


def test_labels_point_at_registry_persons(tiny):
    a = tiny[0]
    registry = {r["person_id"] for r in _rows(a, "registry")}
    enquiries = _rows(a, "enquiries")
    present = [e for e in enquiries if e["true_person_id"]]
    absent = [e for e in enquiries if not e["true_person_id"]]
    assert present and absent
    assert all(e["true_person_id"] in registry for e in present)
    assert len({e["request_id"] for e in enquiries}) == len(enquiries)
    assert {e["split"] for e in enquiries} == {"train", "eval"}


def test_held_out_source_only_in_eval(tiny):
    import json

    a = tiny[0]
    held = json.loads((a / "manifest.json").read_text())["held_out_source"]
    enquiries = _rows(a, "enquiries")
    assert any(e["source"] == held for e in enquiries if e["split"] == "eval")
    assert not any(e["source"] == held for e in enquiries if e["split"] == "train")
    assert not any(r["source"] == held for r in _rows(a, "registry"))


def test_published_tables_render_known_names():
    from bench.lexicon import align, ascii_fold, render

    tokens = align("حسین", "hossein")
    assert render(tokens, "bgn-pcgn") == "Ḩoseyn"
    assert render(tokens, "ala-lc") == "Ḥusayn"
    assert render(tokens, "din-31635") == "Ḥusayn"
    assert ascii_fold(render(align("مسعود", "masoud"), "ala-lc")) == "Masud"
    assert render(align("فرشته", "fereshteh"), "iran-common") == "Fereshteh"
