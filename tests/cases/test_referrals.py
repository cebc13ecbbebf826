from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kinlink.cases import services
from kinlink.cases.models import ReferralOutcome, ReferralStatus, ServiceType

pytestmark = pytest.mark.django_db


def test_a_referral_records_service_partner_status_and_outcome(sara, case):
    referral = services.add_referral(
        user=sara,
        case=case,
        service_type=ServiceType.LEGAL_AID,
        partner="Tirana Legal Clinic",
        referred_on=date(2025, 2, 1),
    )
    assert referral.status == ReferralStatus.PLANNED and referral.closed_on is None
    services.update_referral(
        user=sara,
        referral=referral,
        status=ReferralStatus.COMPLETED,
        outcome=ReferralOutcome.HELPED,
    )
    referral.refresh_from_db()
    assert referral.closed_on == timezone.localdate()
    assert referral.get_outcome_display() == "needs met"


def test_every_service_of_the_issue_can_be_referred_to():
    assert set(ServiceType.values) == {
        "legal_aid",
        "housing",
        "employment",
        "health",
        "psychosocial",
        "language",
    }


def test_a_referral_needs_a_known_service_and_a_partner(sara, case):
    with pytest.raises(ValidationError, match="service"):
        services.add_referral(user=sara, case=case, service_type="astrology", partner="x")
    with pytest.raises(ValidationError, match="partner"):
        services.add_referral(user=sara, case=case, service_type="housing", partner="")


def test_reopening_a_referral_clears_its_closing_date(sara, case):
    referral = services.add_referral(
        user=sara, case=case, service_type="housing", partner="Shelter", status="declined"
    )
    assert referral.closed_on is not None
    services.update_referral(user=sara, referral=referral, status=ReferralStatus.SENT)
    assert referral.closed_on is None


def test_referrals_outside_the_caseload_are_refused(omid, case):
    with pytest.raises(PermissionDenied):
        services.add_referral(user=omid, case=case, service_type="health", partner="Clinic")
