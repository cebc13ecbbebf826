"""API routes of this app, included under /api/ by kinlink/api/urls.py."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("enquiries", api.EnquiryViewSet, basename="enquiry")
router.register("candidates", api.CandidateViewSet, basename="candidate")
router.register("messages", api.MessageViewSet, basename="family-message")
router.register("notifications", api.NotificationViewSet, basename="notification")

urlpatterns = router.urls
