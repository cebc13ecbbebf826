from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from . import services
from .forms import LoginForm, PreferencesForm, TokenForm, UserCreateForm, UserEditForm
from .models import User
from .roles import may_manage_users


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _safe_next(request: HttpRequest) -> str | None:
    """The `next` address only when it stays on this site (no open redirect)."""
    target = request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP device on first login, then ask for a code on every login."""
    user = request.user
    if user.is_verified():
        return redirect("web:home")
    device = services.confirmed_totp_device(user)
    enrolling = device is None
    if enrolling:
        device = services.pending_totp_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        ok = (
            services.confirm_totp_device(user=user, device=device, token=token)
            if enrolling
            else device.verify_token(token)
        )
        if ok:
            otp_login(request, device)
            return redirect(_safe_next(request) or "web:home")
        form.add_error(
            "token", _("That code is not valid. Check the time on your phone and try again.")
        )
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["qr"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        initial={
            "language": user.language or translation.get_language(),
            "calendar": user.calendar,
        },
    )
    if request.method == "POST" and form.is_valid():
        user.language = form.cleaned_data["language"]
        user.calendar = form.cleaned_data["calendar"]
        user.save(update_fields=["language", "calendar"])
        request.session["calendar"] = user.calendar
        translation.activate(user.language)
        response = redirect(f"/{user.language}/")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
        messages.success(request, _("Your preferences are saved."))
        return response
    return render(request, "accounts/preferences.html", {"form": form})


def _require_admin(request: HttpRequest) -> None:
    if not may_manage_users(request.user.role):
        raise PermissionDenied(_("Only administrators manage users."))


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    users = User.objects.select_related("team").order_by("username")
    return render(request, "accounts/user_list.html", {"users": users})


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_user(**form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("User created."))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    target = get_object_or_404(User, pk=pk)
    form = UserEditForm.for_user(target, request.POST or None)
    if request.method == "POST" and "reset_two_factor" in request.POST:
        services.reset_two_factor(user=target)
        messages.success(
            request, _("Two-factor devices removed; the user enrols again at next login.")
        )
        return redirect("accounts:user_edit", pk=pk)
    if request.method == "POST" and form.is_valid():
        if target == request.user and not form.cleaned_data["is_active"]:
            form.add_error("is_active", _("You cannot deactivate your own account."))
        else:
            services.set_role(
                user=target, role=form.cleaned_data["role"], team=form.cleaned_data["team"]
            )
            services.set_active(user=target, active=form.cleaned_data["is_active"])
            messages.success(request, _("User updated."))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_edit.html", {"form": form, "target": target})
