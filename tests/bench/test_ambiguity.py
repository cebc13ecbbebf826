"""The Bayes floor of the benchmark: the generator's own posterior, worked by hand."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

# registry persons: (id, given, family, father, birth year); -1 = not recorded.
# Given name 5 is a compound whose second part is 2 (Mohammadreza -> Reza).
REGISTRY = [
    ("P0", 1, 10, 100, 1970),
    ("P1", 2, 11, 101, 1980),
    ("P2", 2, 11, -1, 1980),
    ("P3", 3, 12, 102, -1),
    ("P4", 5, 11, 103, 1990),
]
# enquiries: (id, given, family, father, year, true person or "", split)
ENQUIRIES = [
    ("R0", 1, 10, -1, 1970, "", "eval"),  # absent; P0 fits everything it gives
    ("R1", 2, 11, 999, 1980, "", "eval"),  # absent; only P2 (no father recorded) fits
    ("R2", 1, 10, -1, 1971, "P0", "eval"),  # about P0, year one off
    ("R3", 2, 11, 103, 1990, "P4", "eval"),  # about P4, by the second part of the name
    ("R4", 3, 12, -1, 1975, "P3", "eval"),  # about P3, whose year is not recorded
    ("R5", 1, 10, -1, 1970, "", "train"),  # like R0, but in the other split
]


@pytest.fixture
def data_dir(tmp_path):
    def write(rows: list[dict], name: str) -> None:
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / f"{name}.parquet")

    write(
        [
            {
                "person_id": pid,
                "given": g,
                "alias": -1,
                "family": f,
                "father": fa,
                "mother": -1,
                "place": -1,
                "gender": "M",
                "birth_year": y,
            }
            for pid, g, f, fa, y in REGISTRY
        ],
        "registry_truth",
    )
    write(
        [
            {
                "request_id": rid,
                "given": g,
                "family": f,
                "father": fa,
                "mother": -1,
                "place": -1,
                "gender": "M",
                "year": y,
            }
            for rid, g, f, fa, y, _, _ in ENQUIRIES
        ],
        "enquiries_truth",
    )
    write(
        [{"request_id": rid, "true_person_id": t, "split": s} for rid, *_, t, s in ENQUIRIES],
        "enquiries",
    )
    (tmp_path / "manifest.json").write_text(json.dumps({"compound_parts": [[5, 2]]}))
    return tmp_path


def test_bayes_floor_matches_the_posterior_worked_by_hand(data_dir):
    """Prior 0.75 over 5 persons (0.15 each), 0.25 absent. Frequencies: given 1 and 3
    0.2, given 2 0.4 + 0.2 x 0.15 (as P4's second part) = 0.43; family 10 and 12 0.2,
    11 0.6; each recorded father 0.25; stated year 1970 0.25 x 0.7 = 0.175, 1971
    0.25 x 0.3 x 2/8 = 0.01875, 1980 0.35, 1990 0.175.

    - R0: P0 has LR 25 x 0.7/0.175 = 100, posterior 15/15.25 = 0.984: a false alarm.
    - R1: P1's father differs, P4's too; P2: LR 1/(0.43 x 0.6) x 0.7/0.35 = 7.75,
      posterior 1.163/1.413 = 0.82: no false alarm.
    - R2: P0, LR 25 x 0.075/0.01875 = 100, posterior 0.984, true.
    - R3: P4 by its second part: 0.15/(0.43 x 0.6) x 4 x 0.7/0.175 = 9.30, posterior
      0.85, ranked first but under 0.9; P2 is ten years off and P1's father differs.
    - R4: P3, LR 25, posterior 3.75/4 = 0.94, true.
    """
    from bench.ambiguity import bayes_floor

    r = bayes_floor(data_dir, "eval")
    assert (r["absent"], r["present"]) == (2, 3)
    assert r["false_alarm_requests"] == ["R0"]
    assert r["false_alarm_rate"] == pytest.approx(0.5)
    assert r["precision_at_threshold"] == pytest.approx(2 / 3)  # R0 and R2 on P0, R4 on P3
    assert r["recall_at_threshold"] == pytest.approx(2 / 3)
    assert r["recall_at_1"] == pytest.approx(1.0)
    # R1 and R3 (0.82, 0.85) in the 0.8 band, R0, R2 (0.98) and R4 (0.94) in the top one
    assert [(edge, n, true) for edge, n, _, true in r["bands"]] == [(0.8, 2, 0.5), (0.9, 3, 2 / 3)]


def test_bayes_floor_reads_one_split_and_the_first_requests(data_dir):
    from bench.ambiguity import bayes_floor

    train = bayes_floor(data_dir, "train")
    assert (train["absent"], train["present"], train["false_alarms"]) == (1, 0, 1)
    first_two = bayes_floor(data_dir, "eval", n_requests=2)
    assert (first_two["absent"], first_two["false_alarms"]) == (2, 1)


def test_namesakes_share_the_posterior(data_dir):
    """Two more persons fit R0 as well as P0 does: each of the three gets 0.31."""
    from bench.ambiguity import bayes_floor

    extra = [
        {
            "person_id": f"X{i}",
            "given": 1,
            "alias": -1,
            "family": 10,
            "father": 200 + i,
            "mother": -1,
            "place": -1,
            "gender": "M",
            "birth_year": 1970,
        }
        for i in range(2)
    ]
    reg = pq.read_table(data_dir / "registry_truth.parquet").to_pylist() + extra
    pq.write_table(pa.Table.from_pylist(reg), data_dir / "registry_truth.parquet")
    r = bayes_floor(data_dir, "eval")
    assert "R0" not in r["false_alarm_requests"]


def test_a_wrong_split_or_a_missing_truth_file_is_named(data_dir):
    from bench.ambiguity import bayes_floor

    with pytest.raises(ValueError, match=r"split must be one of .*'test'"):
        bayes_floor(data_dir, "test")
    (data_dir / "enquiries_truth.parquet").unlink()
    with pytest.raises(SystemExit, match=r"enquiries_truth\.parquet is missing"):
        bayes_floor(data_dir, "eval")
