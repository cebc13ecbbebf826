"""Public tracing notices: for an enquirer who consents, a printable and web-publishable
notice holding only the enquirer's photo and first name, the relationship and the name of
the person sought, and the reference to quote when contacting the organisation. Never an
address or a contact of anyone.

The enquirer's consent to publication is a `people.Consent` (purpose "publication", in the
enquiry's context), checked through `people.basis.basis_for_act` every time the notice is
shown; withdrawing it, closing the enquiry or a merge of the enquirer's record takes the
notice down at once (its address answers 404).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from kinlink.accounts.models import User
from kinlink.audit.sensitive import reveal
from kinlink.people import basis as legal_basis
from kinlink.people.models import Consent, ConsentPurpose, LegalBasis

from .models import EnquirerRelationship, Enquiry, TracingNotice
from .services import _require_open, _require_worker

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_SIDE = 1200
NOTICE_COVERAGE = (
    "public tracing notice: the enquirer's photo and first name, the relationship, "
    "the name of the person sought and the reference number"
)


def publication_consent(enquiry: Enquiry) -> Consent | None:
    """The enquirer's consent in force to publish a notice for this enquiry, if any."""
    return legal_basis.basis_for_act(
        "publication", person=enquiry.enquirer, context=enquiry.consent_context
    )


def is_published(notice: TracingNotice) -> bool:
    """Published only while the enquiry is open, the enquirer is still the one who asked for
    the notice, and their consent to publication stands."""
    enquiry = notice.enquiry
    return (
        not enquiry.is_closed
        and enquiry.enquirer_id == notice.enquirer_id
        and publication_consent(enquiry) is not None
    )


# -- caseworker acts -------------------------------------------------------------------------


@transaction.atomic
def record_publication_consent(
    *, user: User, enquiry: Enquiry, obtained_on: dt.date, method: str, note: str = ""
) -> Consent:
    """The enquirer agrees to a public notice for this enquiry (consent only: publication
    never rests on another basis)."""
    _require_worker(user, enquiry)
    _require_open(enquiry)
    return legal_basis.record_basis_by(
        user=user,
        person=enquiry.enquirer,
        purpose=ConsentPurpose.PUBLICATION,
        basis=LegalBasis.CONSENT,
        coverage=NOTICE_COVERAGE,
        context=enquiry.consent_context,
        obtained_on=obtained_on,
        method=method,
        note=note,
    )


@transaction.atomic
def withdraw_publication_consent(*, user: User, enquiry: Enquiry, reason: str) -> Consent:
    """The enquirer takes their consent back: the notice is unpublished at once and their
    photo is deleted (it was kept only to be published; a new consent needs a new photo)."""
    _require_worker(user, enquiry)
    consent = publication_consent(enquiry)
    if consent is None:
        raise ValidationError(_("There is no consent to publication in force."))
    withdrawn = legal_basis.withdraw_basis_by(user=user, record=consent, reason=reason)
    notice = notice_of(enquiry)
    if notice is not None and notice.photo is not None:
        notice.photo = None
        notice.save()
    return withdrawn


def _clean_photo(data: bytes) -> str:
    """The photo re-encoded as a JPEG without metadata (no GPS position, no camera serial),
    at most MAX_PHOTO_SIDE pixels a side, as base64."""
    if not data:
        raise ValidationError({"photo": _("Choose a photo.")})
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("The photo is too large (8 MB at most).")})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError({"photo": _("This file is not a photo we can read.")}) from exc
    return base64.b64encode(out.getvalue()).decode("ascii")


@transaction.atomic
def prepare_notice(*, user: User, enquiry: Enquiry, photo: bytes) -> TracingNotice:
    """Store the enquirer's photo (encrypted) for their notice. Only with their consent to
    publication in force: without it, the photo is not even kept."""
    _require_worker(user, enquiry)
    _require_open(enquiry)
    if publication_consent(enquiry) is None:
        raise ValidationError(_("Record the enquirer's consent to publication first."))
    cleaned = _clean_photo(photo)
    notice = TracingNotice.objects.filter(enquiry=enquiry).first()
    if notice is None:
        notice = TracingNotice(enquiry=enquiry, created_by=user)
    notice.enquirer = enquiry.enquirer
    notice.photo = cleaned
    notice.save()
    return notice


def notice_of(enquiry: Enquiry) -> TracingNotice | None:
    return TracingNotice.objects.filter(enquiry=enquiry).first()


# -- what the public sees --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NoticeContent:
    """Everything a published notice shows, and nothing more."""

    token: str
    enquirer_first_name: str
    relationship: str
    sought_name: str
    reference: str
    has_photo: bool


def _published(token: str) -> TracingNotice | None:
    if not token or len(token) > 64:
        return None
    notice = (
        TracingNotice.objects.select_related("enquiry", "enquiry__enquirer")
        .filter(token=token)
        .first()
    )
    return notice if notice is not None and is_published(notice) else None


def notice_content(notice: TracingNotice) -> NoticeContent:
    enquiry = notice.enquiry
    name = enquiry.enquirer.primary_name
    return NoticeContent(
        token=notice.token,
        enquirer_first_name=name.given_name if name else "",
        relationship=str(EnquirerRelationship(enquiry.relationship).label),
        sought_name=enquiry.sought_name,
        reference=enquiry.reference,
        has_photo=notice.photo is not None,
    )


def published_notice(token: str) -> NoticeContent | None:
    """The notice at this address, if it is published; None answers 404."""
    notice = _published(token)
    return notice_content(notice) if notice is not None else None


def published_photo(token: str) -> bytes | None:
    """The enquirer's photo, only through a published notice (each read is audited)."""
    notice = _published(token)
    if notice is None or notice.photo is None:
        return None
    data = reveal(notice, "photo", reason=f"published tracing notice {notice.enquiry.reference}")
    return base64.b64decode(data or "")
