"""The database-backed ranking (kinlink.tracing.matching) weighs names by how common they
are in the registry, as the in-memory index and the batch linkage do (synthetic people)."""

import pytest

from kinlink.matching.keys import record_tf_keys
from kinlink.matching.model import TermFrequencies
from kinlink.matching.search import rank_candidates
from kinlink.people.models import Person
from kinlink.people.services import create_person
from kinlink.tracing import matching, services

COMMON = [("محمد", "حسینی", "علی", "1344"), ("محمد", "حسینی", "رضا", "1350")] + [
    ("محمد", family, "حسن", year)
    for family, year in (
        ("احمدی", "1340"),
        ("کریمی", "1352"),
        ("رضایی", "1355"),
        ("موسوی", "1348"),
    )
]


@pytest.fixture
def registry(make_user, db):
    keeper = make_user("omid", "caseworker", team="South")
    people = [
        create_person(
            names=[{"given_name": g, "family_name": f, "father_name": a}],
            birth=year,
            gender="M",
            caseworker=keeper,
        )
        for g, f, a, year in COMMON
    ]
    people.append(
        create_person(
            names=[{"given_name": "یگانه", "family_name": "زرین‌کمر", "father_name": "بهرام"}],
            birth="1349",
            gender="F",
            caseworker=keeper,
        )
    )
    return people


def _all_frequencies() -> TermFrequencies:
    tf = TermFrequencies()
    for person in Person.objects.prefetch_related("names"):
        for fld, key in record_tf_keys(matching.person_record(person)).items():
            tf.add(fld, key)
    return tf


def test_the_stored_counts_are_the_registry_frequencies(registry):
    records = [matching.person_record(p) for p in registry]
    tf = matching.registry_frequencies(records)
    expected = _all_frequencies()
    for record in records:
        for fld, key in record_tf_keys(record).items():
            assert tf.tf(fld, key) == pytest.approx(expected.tf(fld, key))
    mohammad = record_tf_keys(records[0])["given_name"]
    yeganeh = record_tf_keys(records[-1])["given_name"]
    assert tf.tf("given_name", mohammad) == pytest.approx(6 / 7)
    assert tf.tf("given_name", yeganeh) == pytest.approx(1 / 7)


def test_a_common_name_weighs_less_than_a_rare_one(registry, make_user):
    sara = make_user("sara", "caseworker", team="North")

    def enquire(given, family, father, birth):
        return services.create_enquiry(
            user=sara,
            relationship="sibling",
            new_enquirer={"names": [{"given_name": "Fereshteh", "family_name": "Tavakoli"}]},
            sought={
                "given_name": given,
                "family_name": family,
                "father_name": father,
                "birth": birth,
            },
            search=False,
        )

    common = enquire("Mohammad", "Hosseini", "Ali", "1965")
    rare = enquire("Yeganeh", "Zarrinkamar", "Bahram", "1970")
    ranked_common = matching.rank_for_enquiry(common)
    ranked_rare = matching.rank_for_enquiry(rare)
    assert ranked_common[0].person_id == registry[0].pk
    assert ranked_rare[0].person_id == registry[-1].pk

    # the same weights as scoring the candidates with the whole registry's frequencies
    tf = _all_frequencies()
    for enquiry, ranked in ((common, ranked_common), (rare, ranked_rare)):
        records = [
            matching.person_record(p)
            for p in Person.objects.filter(pk__in=[c.person_id for c in ranked])
        ]
        reference = rank_candidates(
            matching.enquiry_request(enquiry), records, registry_size=len(registry), tf=tf
        )
        assert {c.person_id: c.match_weight for c in ranked} == pytest.approx(
            {c.person_id: c.match_weight for c in reference}
        )
    # and not the weights without frequencies: "Mohammad" says less than "Yeganeh"
    untuned = rank_candidates(
        matching.enquiry_request(common),
        [matching.person_record(registry[0])],
        registry_size=len(registry),
    )
    assert ranked_common[0].match_weight < untuned[0].match_weight - 1
