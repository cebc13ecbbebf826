"""Blocking keys as a pure function of a record, usable from a database table."""

from collections import defaultdict

from kinlink.calendars import parse_birth_date
from kinlink.matching import (
    CandidatePolicy,
    MatchIndex,
    MatchRequest,
    PersonRecord,
    TermFrequencies,
    rank_candidates,
    record_keys,
    record_tf_keys,
    request_keys,
    select_candidates,
)


def test_spellings_in_different_scripts_share_keys():
    a = PersonRecord("a", "حسین", "موسوی", father_name="رضا", birth=parse_birth_date("1344"))
    b = PersonRecord("b", "Hossein", "Moosavi", father_name="Reza", birth=parse_birth_date("1965"))
    c = PersonRecord("c", "Hosein", "Musavi", father_name="Reza", birth=parse_birth_date("1966"))
    shared = record_keys(a) & record_keys(b) & record_keys(c)
    assert any(k.startswith("fgb:") for k in shared)  # family + given + birth period
    assert any(k.startswith("fa:") for k in shared)  # family + father
    assert record_keys(a) == record_keys(
        PersonRecord("other-id", "حسین", "موسوی", father_name="رضا", birth=parse_birth_date("1344"))
    )


def test_request_keys_reach_the_record_keys_of_the_sought_person():
    rec = PersonRecord(
        "p", "Fereshte", "Hosseini", father_name="Ali", birth=parse_birth_date("1972")
    )
    q = MatchRequest("q", "فرشته", "حسینی", father_name="علی", birth=parse_birth_date("about 1971"))
    assert set(request_keys(q)) & record_keys(rec)
    swapped = MatchRequest("q", "Hosseini", "Fereshteh")
    assert set(request_keys(swapped)) & record_keys(rec)


def test_a_database_style_key_table_gives_the_same_ranking_as_the_index(background, labelled):
    requests, _ = labelled
    # what the Django side would keep in a table: (key, person id), plus value counts
    table = defaultdict(list)
    idx = MatchIndex()
    idx.add_many(background)
    for r in background:
        for k in record_keys(r):
            table[k].append(r.id)
    # what a (field, key, count) table would hold
    counts = defaultdict(lambda: defaultdict(int))
    for r in background:
        for fld, key in record_tf_keys(r).items():
            counts[fld][key] += 1
    tf = TermFrequencies.from_counts(counts)
    assert tf.counts == idx.tf.counts
    by_id = {r.id: r for r in background}
    policy = CandidatePolicy(cap=400)
    agree = 0
    for q in requests[:60]:
        keys = request_keys(q)
        ids = select_candidates(keys, {k: table[k] for k in keys if k in table}, policy)
        assert len(ids) <= policy.cap
        found = rank_candidates(
            q, [by_id[i] for i in ids], registry_size=len(background), tf=tf, top_k=3
        )
        inter = idx.search(q, top_k=3)
        if [c.person_id for c in found[:1]] == [c.person_id for c in inter[:1]]:
            agree += 1
    # the database path compares every reading with every candidate, the index only
    # readings with the candidates their keys found: nearly always the same top 1
    assert agree >= 57


def test_select_candidates_keeps_the_rows_that_most_small_keys_vote_for():
    postings = {
        "fa:big": list(range(1000)),
        "fa:small": [5, 6],
        "ab:mid": list(range(100, 150)),
        "pb:also": [6, 120],
        "f:one-name": list(range(200, 260)),
    }
    policy = CandidatePolicy(cap=3, max_posting=100, max_single_name=50)
    # a smaller posting's vote counts more; "fa:big" is too common to vote at all, and a
    # name alone ("f:") only when it is rare
    assert policy.weight(2) > policy.weight(50) > 0
    assert not policy.votes("f:one-name", 60) and policy.votes("f:one-name", 50)
    assert not policy.votes("gb:x|398", 60) and policy.votes("fa:x|y", 60)
    got = select_candidates(list(postings), postings, policy)
    # 6 is in two small keys, 120 in a small and a mid one, 5 in one small one
    assert got == [5, 6, 120]


def test_select_candidates_falls_back_to_the_smallest_posting_when_none_may_vote():
    postings = {"fa:big": list(range(1000, 2000)), "f:mid": list(range(300, 0, -1))}
    policy = CandidatePolicy(cap=10, max_posting=100, max_single_name=50)
    got = select_candidates(["fa:big", "f:mid"], postings, policy)
    assert got == list(range(1, 11))  # the smallest posting, though too big to vote
    got = select_candidates(["fa:big"], postings, policy)
    assert got == list(range(1000, 1010))


def test_votes_are_whole_numbers_that_halve_with_the_posting():
    policy = CandidatePolicy(max_posting=2000)
    assert policy.weight(2000) == 4
    assert policy.weight(1000) == 8
    assert policy.weight(1) == round(4 * 11.965784284662087)
    assert policy.weights()[1:] == [policy.weight(n) for n in range(1, 2001)]
