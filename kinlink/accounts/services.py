"""Users, teams and two-factor devices. Every write about accounts goes through here."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from kinlink.audit.models import Action
from kinlink.audit.services import record

from .models import Team, User
from .roles import Role


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: str,
    team: Team | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    validate: bool = True,
) -> User:
    """Create a staff user with a role. Raises ValidationError naming the bad field."""
    if role not in Role.values:
        raise ValidationError(
            {"role": f"unknown role {role!r}; choose one of {', '.join(Role.values)}"}
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"a user named {username!r} already exists"})
    user = User(
        username=username,
        role=role,
        team=team,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    return user


def team_named(name: str) -> Team:
    team, _ = Team.objects.get_or_create(name=name)
    return team


@transaction.atomic
def set_role(*, user: User, role: str, team: Team | None) -> User:
    if role not in Role.values:
        raise ValidationError({"role": f"unknown role {role!r}"})
    user.role, user.team = role, team
    user.save(update_fields=["role", "team"])
    return user


@transaction.atomic
def set_active(*, user: User, active: bool) -> User:
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device a user is enrolling, created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="kinlink", confirmed=False)
    return device


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def confirm_totp_device(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm enrolment when the code matches; the device then guards every login."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(
        Action.CHANGE,
        object_type="accounts.user",
        object_id=user.pk,
        detail={"two_factor": "enrolled"},
    )
    return True


@transaction.atomic
def reset_two_factor(*, user: User) -> None:
    """Remove a user's devices (an administrator's act, e.g. after a lost phone)."""
    TOTPDevice.objects.filter(user=user).delete()
    record(
        Action.CHANGE,
        object_type="accounts.user",
        object_id=user.pk,
        detail={"two_factor": "reset"},
    )
