"""API routes of this app, included under /api/ by kinlink/api/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("privacy/requests", api.ErasureRequestViewSet, basename="privacy-request")
router.register("privacy/retention-rules", api.RetentionRuleViewSet, basename="retention-rule")

urlpatterns = [
    path("privacy/persons/<int:pk>/", api.person_overview, name="privacy-person"),
    path("privacy/persons/<int:pk>/export/", api.person_export, name="privacy-export"),
    path("", include(router.urls)),
]
