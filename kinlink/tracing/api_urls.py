"""API routes of this app, included under /api/ by kinlink/api/urls.py."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("enquiries", api.EnquiryViewSet, basename="enquiry")
router.register("candidates", api.CandidateViewSet, basename="candidate")
router.register("messages", api.MessageViewSet, basename="family-message")
router.register("notifications", api.NotificationViewSet, basename="notification")
router.register("transfers", api.TransferViewSet, basename="transfer")

urlpatterns = [
    path("enquiries/<int:pk>/notice/", api.EnquiryNoticeView.as_view(), name="enquiry-notice"),
    path(
        "enquiries/<int:pk>/notice/consent/",
        api.EnquiryNoticeConsentView.as_view(),
        name="enquiry-notice-consent",
    ),
    path(
        "enquiries/<int:pk>/notice/consent/withdraw/",
        api.EnquiryNoticeWithdrawView.as_view(),
        name="enquiry-notice-withdraw",
    ),
    *router.urls,
]
