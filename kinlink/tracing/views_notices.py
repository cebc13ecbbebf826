"""Pages of the public tracing notice: the caseworker's page (the enquirer's consent to
publication, the photo, the public address) and the public, printable notice itself,
reachable without login at an unguessable address only while the consent stands.
Thin: the rules are in tracing.notices."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kinlink.people.forms import apply_errors
from kinlink.people.models import ConsentMethod

from . import notices
from .views import _enquiry_or_404


class PublicationConsentForm(forms.Form):
    obtained_on = forms.DateField(
        label=gettext_lazy("Date given"), widget=forms.DateInput(attrs={"type": "date"})
    )
    method = forms.ChoiceField(
        label=gettext_lazy("How it was obtained"), choices=ConsentMethod.choices
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class PublicationWithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=gettext_lazy("The enquirer's photo"))


def _page(request: HttpRequest, enquiry, status: int = 200, **forms_given) -> HttpResponse:
    notice = notices.notice_of(enquiry)
    consent = notices.publication_consent(enquiry)
    published = notice is not None and notices.is_published(notice)
    context = {
        "enquiry": enquiry,
        "notice": notice,
        "consent": consent,
        "published": published,
        "content": notices.notice_content(notice) if notice is not None else None,
        "public_url": (
            request.build_absolute_uri(reverse("tracing:notice_public", args=[notice.token]))
            if published
            else ""
        ),
        "consent_form": forms_given.get("consent_form") or PublicationConsentForm(),
        "withdraw_form": forms_given.get("withdraw_form") or PublicationWithdrawForm(),
        "photo_form": forms_given.get("photo_form") or PhotoForm(),
    }
    response = render(request, "tracing/notice_manage.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def notice_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The caseworker's page of an enquiry's public notice."""
    return _page(request, _enquiry_or_404(request, pk))


@login_required
@require_POST
def notice_consent(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    form = PublicationConsentForm(request.POST)
    if form.is_valid():
        try:
            notices.record_publication_consent(
                user=request.user, enquiry=enquiry, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The enquirer's consent to publication was recorded."))
            return redirect("tracing:notice_manage", enquiry.pk)
    return _page(request, enquiry, status=400, consent_form=form)


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    form = PublicationWithdrawForm(request.POST)
    if form.is_valid():
        try:
            notices.withdraw_publication_consent(
                user=request.user, enquiry=enquiry, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Consent withdrawn: the notice is no longer published."))
            return redirect("tracing:notice_manage", enquiry.pk)
    return _page(request, enquiry, status=400, withdraw_form=form)


@login_required
@require_POST
def notice_photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    enquiry = _enquiry_or_404(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            notices.prepare_notice(
                user=request.user,
                enquiry=enquiry,
                photo=upload.read(notices.MAX_PHOTO_BYTES + 1),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The photo was stored for the notice."))
            return redirect("tracing:notice_manage", enquiry.pk)
    return _page(request, enquiry, status=400, photo_form=form)


# -- public: no login ------------------------------------------------------------------------


def notice_public(request: HttpRequest, token: str) -> HttpResponse:
    """The published notice, printable; 404 unless the enquirer's consent stands."""
    content = notices.published_notice(token)
    if content is None:
        raise Http404(_("No such notice."))
    response = render(
        request, "tracing/notice_public.html", {"notice": content, "today": timezone.localdate()}
    )
    # Withdrawal must take effect at once: nothing keeps a copy.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noarchive"
    return response


def notice_photo(request: HttpRequest, token: str) -> HttpResponse:
    """The enquirer's photo, served only on a published notice."""
    data = notices.published_photo(token)
    if data is None:
        raise Http404(_("No such notice."))
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
