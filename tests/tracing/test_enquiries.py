import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinlink.audit.models import Entry
from kinlink.people.services import create_person
from kinlink.tracing import services
from kinlink.tracing.models import Candidate, CandidateDecision, Notification, StatusChange
from kinlink.tracing.selectors import enquiries_visible_to

from .conftest import confirm, consent

pytestmark = pytest.mark.django_db


def test_an_enquiry_in_latin_letters_finds_the_person_registered_in_persian_first(
    enquiry, registered
):
    best = enquiry.candidates.order_by("-score").first()
    assert best.person == registered
    assert best.explanation and best.evidence
    assert enquiry.status == "searching"


def test_the_enquirer_is_never_their_own_candidate(enquiry):
    assert not enquiry.candidates.filter(person=enquiry.enquirer).exists()


def test_an_enquiry_without_a_name_is_refused(sara):
    with pytest.raises(ValidationError):
        services.create_enquiry(
            user=sara,
            relationship="parent",
            new_enquirer={"names": [{"given_name": "Parvin"}]},
            sought={"father_name": "Ali"},
        )


def test_an_impossible_birth_year_is_named_in_the_error(sara):
    with pytest.raises(ValidationError) as info:
        services.create_enquiry(
            user=sara,
            relationship="parent",
            new_enquirer={"names": [{"given_name": "Parvin"}]},
            sought={"given_name": "Reza", "birth": "1965-13"},
        )
    assert "birth" in info.value.message_dict


def test_the_sought_birth_year_may_be_given_in_solar_hijri(sara, registered):
    enquiry = services.create_enquiry(
        user=sara,
        relationship="parent",
        new_enquirer={"names": [{"given_name": "Parvin"}]},
        sought={"given_name": "مسعود", "family_name": "حسینی", "birth": "۱۳۴۴"},
    )
    assert (enquiry.sought_birth_year, enquiry.sought_birth_calendar) == (1965, "solar_hijri")


def test_an_administrator_or_analyst_cannot_record_an_enquiry(staff):
    for role in ("admin", "analyst", "dpo"):
        with pytest.raises(PermissionDenied):
            services.create_enquiry(
                user=staff[role],
                relationship="parent",
                new_enquirer={"names": [{"given_name": "Parvin"}]},
                sought={"given_name": "Reza"},
            )


def test_enquiries_are_seen_by_their_caseworker_team_supervisor_and_dpo_only(staff, enquiry):
    seen = {
        role: enquiries_visible_to(user).filter(pk=enquiry.pk).exists()
        for role, user in staff.items()
    }
    assert seen == {
        "caseworker": True,
        "supervisor": True,
        "dpo": True,
        "admin": False,
        "analyst": False,
        "other_caseworker": False,
    }


def test_confirming_a_candidate_makes_them_the_sought_person_and_is_audited(
    enquiry, sara, registered
):
    candidate = confirm(enquiry, sara, registered)
    assert enquiry.sought_person == registered and enquiry.status == "candidate_found"
    candidate.refresh_from_db()
    assert (candidate.decision, candidate.decided_by, candidate.decision_reason) == (
        "same",
        sara,
        "father",
    )
    entry = Entry.objects.filter(object_type="tracing.candidate", field="decision").first()
    assert entry.detail["decision"] == "same" and entry.actor_username in ("sara", "system")


def test_a_decision_needs_a_reason(enquiry, sara, registered):
    candidate = enquiry.candidates.get(person=registered)
    with pytest.raises(ValidationError):
        services.decide_candidate(user=sara, candidate=candidate, decision="not_same", reason="")


def test_only_one_candidate_can_be_confirmed_at_a_time(enquiry, sara, registered):
    confirm(enquiry, sara, registered)
    other = enquiry.candidates.exclude(person=registered).first()
    with pytest.raises(ValidationError):
        services.decide_candidate(user=sara, candidate=other, decision="same", reason="x")


def test_reversing_a_confirmation_keeps_its_history_and_reopens_the_search(
    enquiry, sara, registered
):
    candidate = confirm(enquiry, sara, registered)
    services.decide_candidate(user=sara, candidate=candidate, decision="unsure", reason="doubt")
    enquiry.refresh_from_db()
    assert enquiry.sought_person is None and enquiry.status == "searching"
    assert list(
        CandidateDecision.objects.filter(candidate=candidate).values_list("decision", flat=True)
    ) == ["same", "unsure"]


def test_a_rejected_pair_is_never_proposed_again(enquiry, sara, registered):
    candidate = enquiry.candidates.get(person=registered)
    services.decide_candidate(user=sara, candidate=candidate, decision="not_same", reason="no")
    services.start_search(user=sara, enquiry=enquiry)
    candidate.refresh_from_db()
    assert candidate.decision == "not_same"
    assert enquiry.candidates.filter(person=registered).count() == 1


def test_a_person_registered_later_is_matched_and_the_caseworker_notified(enquiry, staff):
    later = create_person(
        names=[{"given_name": "Masoud", "family_name": "Hoseini", "father_name": "Ali"}],
        birth="1966",
        caseworker=staff["other_caseworker"],
    )
    candidate = Candidate.objects.get(enquiry=enquiry, person=later)
    assert candidate.found_later
    note = Notification.objects.get(user=staff["caseworker"], kind="new_candidate")
    assert note.candidate == candidate


def test_a_closed_enquiry_is_not_matched_against_new_persons(enquiry, sara, staff):
    services.close_enquiry(user=sara, enquiry=enquiry, outcome="not_found")
    later = create_person(
        names=[{"given_name": "Masoud", "family_name": "Hoseini", "father_name": "Ali"}],
        birth="1966",
        caseworker=staff["other_caseworker"],
    )
    assert not Candidate.objects.filter(person=later).exists()
    assert not Notification.objects.exists()


def test_every_status_change_is_dated_and_attributed(found, sara):
    consent(found, sara, "messages")
    services.close_enquiry(user=sara, enquiry=found, outcome="contact_restored")
    changes = list(StatusChange.objects.filter(enquiry=found))
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("", "open"),
        ("open", "searching"),
        ("searching", "candidate_found"),
        ("candidate_found", "person_asked"),
        ("person_asked", "closed"),
    ]
    assert all(c.by == sara and c.at for c in changes)
    assert changes[-1].outcome == "contact_restored"


def test_contact_cannot_be_restored_without_consent(found, sara):
    with pytest.raises(ValidationError):
        services.close_enquiry(user=sara, enquiry=found, outcome="contact_restored")
    consent(found, sara, "alive_and_well")
    with pytest.raises(ValidationError):
        services.close_enquiry(user=sara, enquiry=found, outcome="contact_restored")


def test_only_not_found_is_possible_before_a_confirmation(enquiry, sara):
    with pytest.raises(ValidationError):
        services.close_enquiry(user=sara, enquiry=enquiry, outcome="deceased")


def test_a_closed_enquiry_can_be_reopened_with_a_reason(enquiry, sara):
    services.close_enquiry(user=sara, enquiry=enquiry, outcome="not_found")
    services.reopen_enquiry(user=sara, enquiry=enquiry, note="new information")
    assert enquiry.status == "searching" and enquiry.outcome == ""


def test_a_caseworker_cannot_decide_on_another_caseworkers_enquiry(enquiry, staff, registered):
    candidate = enquiry.candidates.get(person=registered)
    with pytest.raises(PermissionDenied):
        services.decide_candidate(
            user=staff["other_caseworker"], candidate=candidate, decision="same", reason="x"
        )


def test_merging_the_sought_person_moves_the_enquiry_but_not_the_consent(found, sara, staff):
    from kinlink.people.services import merge_persons

    consent(found, sara, "whereabouts")
    keeper = staff["other_caseworker"]
    survivor = create_person(names=[{"given_name": "Masoud"}], caseworker=keeper)
    merge_persons(user=keeper, survivor=survivor, merged=found.sought_person, reason="same")
    found.refresh_from_db()
    assert found.sought_person == survivor
    assert services.consent_scope(found) is None
