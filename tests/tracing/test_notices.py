"""Issue 10, public tracing notice: with the enquirer's consent, a printable, web-published
notice holding only their photo and first name, the relationship, the name sought and the
reference; never an address or a contact. Reachable without login at an unguessable
address only while the consent stands."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from kinlink.audit.models import Entry
from kinlink.people import basis as legal_basis
from kinlink.tracing import notices, services
from kinlink.tracing.models import TracingNotice

from .conftest import CONTACT, ENQUIRER_CONTACT, LOCATION

pytestmark = pytest.mark.django_db

ENQUIRER_ADDRESS = "Kheyabane Azadi 44, Ahvaz"
ENQUIRER_PHONE = "+98 61 3333 2222"
GPS = "36.0;51.4 GPS of the enquirer's home"


def jpeg_with_metadata() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010E] = GPS  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def enquiry(sara, registered):
    """An enquirer with an address and a phone of their own, seeking a person whose address
    and phone are registered too."""
    return services.create_enquiry(
        user=sara,
        relationship="sibling",
        new_enquirer={
            "names": [{"given_name": "Fereshteh", "family_name": "Karimzadeh"}],
            "last_known_location": ENQUIRER_ADDRESS,
            "contact": ENQUIRER_PHONE,
            "birth_place": "Dezful",
        },
        sought={
            "given_name": "Massoud",
            "family_name": "Hosseini",
            "father_name": "Ali",
            "birth": "1965",
            "birth_place": "Ahvaz",
        },
        last_news_where="Camp Ashraf",
        enquirer_contact=ENQUIRER_CONTACT,
    )


def consent_to_publish(enquiry, user):
    return notices.record_publication_consent(
        user=user, enquiry=enquiry, obtained_on=dt.date.today(), method="in_person"
    )


@pytest.fixture
def published(enquiry, sara):
    consent_to_publish(enquiry, sara)
    return notices.prepare_notice(user=sara, enquiry=enquiry, photo=jpeg_with_metadata())


def public(client, notice, lang="en"):
    return client.get(f"/{lang}/tracing/notices/{notice.token}/")


def photo(client, notice):
    return client.get(f"/en/tracing/notices/{notice.token}/photo.jpg")


def test_the_published_notice_holds_only_the_allowed_fields(client, published, enquiry):
    response = public(client, published)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    for allowed in ("Fereshteh", "Massoud Hosseini", "sibling", enquiry.reference):
        assert allowed in html, allowed
    for secret in (
        ENQUIRER_ADDRESS,
        ENQUIRER_PHONE,
        ENQUIRER_CONTACT,
        LOCATION,
        CONTACT,
        "Karimzadeh",  # the enquirer's family name: first name only
        "Dezful",
        "Ahvaz",
        "Camp Ashraf",
        "1965",
        enquiry.enquirer.reference,
    ):
        assert secret not in html, f"the public notice shows {secret!r}"
    content = notices.published_notice(published.token)
    assert {f: getattr(content, f) for f in ("enquirer_first_name", "sought_name")} == {
        "enquirer_first_name": "Fereshteh",
        "sought_name": "Massoud Hosseini",
    }


def test_the_photo_is_served_on_the_published_notice_without_its_metadata(client, published):
    stored = TracingNotice.objects.get()
    assert stored.photo.token.startswith("gAAAA")  # sealed (Fernet), not the JPEG itself
    response = photo(client, published)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    served = Image.open(io.BytesIO(response.content))
    assert served.size == (40, 30) and not served.getexif()
    assert GPS.encode() not in response.content
    read = Entry.objects.filter(action="read", object_type="tracing.tracingnotice").last()
    assert read is not None and read.field == "photo"


def test_withdrawing_the_consent_unpublishes_the_notice_and_its_photo(
    client, published, enquiry, sara
):
    notices.withdraw_publication_consent(user=sara, enquiry=enquiry, reason="changed her mind")
    assert public(client, published).status_code == 404
    assert photo(client, published).status_code == 404
    assert notices.published_photo(published.token) is None
    assert TracingNotice.objects.get().photo is None  # kept only to be published
    # a new consent alone does not bring the old photo back
    consent_to_publish(enquiry, sara)
    assert photo(client, published).status_code == 404
    assert notices.published_notice(published.token).has_photo is False


def test_no_photo_is_kept_or_served_without_consent(client, enquiry, sara):
    with pytest.raises(ValidationError):
        notices.prepare_notice(user=sara, enquiry=enquiry, photo=jpeg_with_metadata())
    assert not TracingNotice.objects.exists()
    notice = TracingNotice.objects.create(
        enquiry=enquiry, enquirer=enquiry.enquirer, photo="c29tZQ=="
    )
    assert public(client, notice).status_code == 404
    assert photo(client, notice).status_code == 404


def test_a_vital_interest_record_never_publishes(client, enquiry, sara):
    consent_to_publish(enquiry, sara)
    notice = notices.prepare_notice(user=sara, enquiry=enquiry, photo=jpeg_with_metadata())
    legal_basis.record_legal_basis(
        person=enquiry.enquirer,
        purpose="publication",
        basis="vital_interest",
        coverage="the notice",
        context=enquiry.consent_context,
        obtained_on=dt.date.today(),
        by=sara,
    )
    assert public(client, notice).status_code == 404


def test_closing_the_enquiry_takes_the_notice_down(client, published, enquiry, sara):
    services.close_enquiry(user=sara, enquiry=enquiry, outcome="not_found")
    assert public(client, published).status_code == 404


def test_a_wrong_or_guessed_address_answers_404(client, published):
    assert client.get("/en/tracing/notices/1/").status_code == 404
    assert client.get(f"/en/tracing/notices/{published.token[:-1]}x/").status_code == 404
    assert len(published.token) >= 40


@pytest.mark.parametrize(
    "lang,direction", [("en", "ltr"), ("fa", "rtl"), ("ar", "rtl"), ("sq", "ltr")]
)
def test_the_printable_notice_in_every_language(client, published, lang, direction):
    html = public(client, published, lang).content.decode()
    assert f'lang="{lang}" dir="{direction}"' in html
    assert "tracing/notice" in html and "data-print" in html


def test_the_print_stylesheet_uses_logical_properties():
    from django.contrib.staticfiles import finders

    with open(finders.find("tracing/notice.css"), encoding="utf-8") as f:
        css = f.read()
    assert "@media print" in css
    for physical in ("margin-left", "margin-right", "padding-left", "padding-right", "float:"):
        assert physical not in css


def test_the_caseworker_page_records_consent_stores_the_photo_and_shows_the_address(
    client, enquiry, sara
):
    client.force_login(sara)
    base = f"/en/tracing/{enquiry.pk}/notice/"
    assert 'data-published="no"' in client.get(base).content.decode()
    client.post(base + "consent/", {"obtained_on": dt.date.today(), "method": "in_person"})
    upload = SimpleUploadedFile("me.jpg", jpeg_with_metadata(), content_type="image/jpeg")
    assert client.post(base + "photo/", {"photo": upload}).status_code == 302
    page = client.get(base).content.decode()
    notice = TracingNotice.objects.get()
    assert 'data-published="yes"' in page and f"/tracing/notices/{notice.token}/" in page
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    assert client.post(base + "photo/", {"photo": bad}).status_code == 400
    client.post(base + "withdraw/", {"reason": "asked us to"})
    assert 'data-published="no"' in client.get(base).content.decode()
    client.logout()
    assert public(client, notice).status_code == 404


def test_only_who_works_on_the_enquiry_manages_its_notice(client, enquiry, staff):
    client.force_login(staff["other_caseworker"])
    assert client.get(f"/en/tracing/{enquiry.pk}/notice/").status_code == 404
    response = client.post(
        f"/en/tracing/{enquiry.pk}/notice/consent/",
        {"obtained_on": dt.date.today(), "method": "in_person"},
    )
    assert response.status_code == 404
    assert notices.publication_consent(enquiry) is None


def test_the_api_records_consent_stores_the_photo_and_withdraws(enquiry, sara, staff):
    api = APIClient()
    api.force_authenticate(sara)
    url = f"/api/enquiries/{enquiry.pk}/notice/"
    assert api.get(url).json()["published"] is False
    done = api.post(
        url + "consent/", {"obtained_on": str(dt.date.today()), "method": "phone"}, format="json"
    )
    assert done.status_code == 201, done.content
    upload = SimpleUploadedFile("me.jpg", jpeg_with_metadata(), content_type="image/jpeg")
    stored = api.post(url, {"photo": upload}, format="multipart")
    assert stored.status_code == 200, stored.content
    body = stored.json()
    assert body["published"] is True and body["url"].endswith(
        f"/tracing/notices/{TracingNotice.objects.get().token}/"
    )
    assert ENQUIRER_PHONE not in stored.content.decode()
    gone = api.post(url + "consent/withdraw/", {"reason": "no longer"}, format="json")
    assert gone.status_code == 200 and gone.json()["published"] is False
    other = APIClient()
    other.force_authenticate(staff["other_caseworker"])
    assert other.get(url).status_code == 404
