import pytest
from django.contrib.auth.hashers import identify_hasher
from django_otp.oath import totp

from kinlink.accounts.services import pending_totp_device
from kinlink.audit.models import Entry

pytestmark = pytest.mark.django_db
LOGIN = "/en/accounts/login/"


def _login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_passwords_are_hashed_with_argon2(make_user):
    user = make_user("sara", "caseworker")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_a_login_and_a_failed_login_are_both_audited_with_the_address(client, make_user):
    make_user("sara", "caseworker")
    assert _login(client, "sara", "wrong-password").status_code == 200
    assert _login(client, "sara", "a-long-test-password").status_code == 302
    failed = Entry.objects.get(action="login_failed")
    ok = Entry.objects.get(action="login")
    assert failed.detail == {"username": "sara"} and failed.ip == "127.0.0.1"
    assert ok.actor_username == "sara" and ok.ip == "127.0.0.1"


def test_login_is_locked_after_five_failures_even_with_the_right_password(client, make_user):
    make_user("sara", "caseworker")
    for _ in range(5):
        _login(client, "sara", "wrong-password")
    response = _login(client, "sara", "a-long-test-password")
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_an_administrator_sees_nothing_before_confirming_a_totp_code(client, make_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the retry below comes faster than a person's would
    admin = make_user("arben", "admin")
    assert _login(client, "arben", "a-long-test-password").status_code == 302
    response = client.get("/en/accounts/users/")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/two-factor/")
    enrol = client.get("/en/accounts/two-factor/")
    assert b"data:image/svg+xml;base64," in enrol.content  # the QR code to scan
    assert client.post("/en/accounts/two-factor/", {"token": "000000"}).status_code == 200
    device = pending_totp_device(admin)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    assert client.post("/en/accounts/two-factor/", {"token": code}).status_code == 302
    assert client.get("/en/accounts/users/").status_code == 200


def test_a_data_protection_officer_also_needs_the_second_factor(client, make_user):
    make_user("dana", "dpo")
    _login(client, "dana", "a-long-test-password")
    assert client.get("/en/audit/")["Location"].endswith("/accounts/two-factor/")


def test_a_caseworker_needs_no_second_factor(client, make_user):
    make_user("sara", "caseworker")
    _login(client, "sara", "a-long-test-password")
    assert client.get("/en/persons/").status_code == 200


def test_an_api_token_for_a_two_factor_role_needs_a_valid_code(client, make_user, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = make_user("arben", "admin")
    device = pending_totp_device(admin)
    device.confirmed = True
    device.save()
    creds = {"username": "arben", "password": "a-long-test-password"}
    assert client.post("/api/token/", creds).status_code in (401, 403)
    assert client.post("/api/token/", {**creds, "code": "123456"}).status_code in (401, 403)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    response = client.post("/api/token/", {**creds, "code": code})
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_the_two_factor_step_refuses_to_redirect_off_site(client, make_user, settings):
    admin = make_user("arben", "admin")
    client.force_login(admin)
    device = pending_totp_device(admin)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    response = client.post("/en/accounts/two-factor/?next=https://evil.example/", {"token": code})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_the_two_factor_step_follows_a_next_address_on_this_site(client, make_user):
    admin = make_user("arben", "admin")
    client.force_login(admin)
    device = pending_totp_device(admin)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    response = client.post("/en/accounts/two-factor/?next=/en/accounts/users/", {"token": code})
    assert response["Location"] == "/en/accounts/users/"
