import io

import pytest
from PIL import Image

from kinlink.people.models import Consent, PersonName
from kinlink.tracing.demo import STAGES, load_tracing_demo
from kinlink.tracing.models import (
    Candidate,
    Enquiry,
    FamilyMessage,
    Notification,
    TracingNotice,
    Transfer,
    Verification,
)

pytestmark = pytest.mark.django_db


def test_the_demo_holds_enquiries_at_every_stage_with_decisions_of_each_kind(settings):
    from kinlink.demo import load_demo_data

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_data()
    assert load_tracing_demo() == len(STAGES)
    statuses = set(Enquiry.objects.values_list("status", flat=True))
    assert statuses == {"open", "searching", "candidate_found", "person_asked", "closed"}
    outcomes = set(Enquiry.objects.exclude(outcome="").values_list("outcome", flat=True))
    assert outcomes == {
        "contact_restored",
        "alive_no_contact",
        "no_answer",
        "deceased",
        "not_found",
    }
    decisions = set(Candidate.objects.values_list("decision", flat=True))
    assert {"same", "not_same", "unsure"} <= decisions
    assert FamilyMessage.objects.filter(state="replied").exists()
    assert Verification.objects.exists()
    transfer = Transfer.objects.order_by("id").first()
    assert transfer.basis == "vital_interest" and transfer.purpose == "tracing"
    assert "contact" not in transfer.sent


def test_the_demo_publishes_a_notice_records_bases_of_several_purposes_and_hides_a_name(
    settings, client
):
    from kinlink.demo import load_demo_data

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_data()
    notice = TracingNotice.objects.get()
    assert notice.enquiry.status == "searching"
    # its sought person registered again later, in their own script: the one notification
    # (the enquirers registered after other enquiries are long shots for them, not told)
    note = Notification.objects.get(kind="new_candidate")
    assert note.enquiry == notice.enquiry and note.candidate.found_later
    assert note.candidate.person.names.get().script != "latin"
    assert client.get(f"/en/tracing/notices/{notice.token}/").status_code == 200
    photo = client.get(f"/en/tracing/notices/{notice.token}/photo.jpg")
    assert photo.status_code == 200
    assert Image.open(io.BytesIO(photo.content)).size == (240, 300)
    bases = set(Consent.objects.values_list("purpose", "basis"))
    assert {
        ("family_tracing", "vital_interest"),
        ("relaying_messages", "consent"),
        ("transfer", "consent"),
        ("publication", "consent"),
    } <= bases
    hidden = PersonName.objects.get(hidden=True)
    assert hidden.person.reference == "P-000002"
