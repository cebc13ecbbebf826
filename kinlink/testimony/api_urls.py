"""API routes of this app, included under /api/ by kinlink/api/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("testimonies", api.TestimonyViewSet, basename="testimony")
router.register("places", api.PlaceViewSet, basename="place")
router.register("event-types", api.EventTypeViewSet, basename="event-type")
router.register("evidence-exports", api.ExportViewSet, basename="evidence-export")
router.register("evidence-export-jobs", api.ExportJobViewSet, basename="evidence-export-job")

urlpatterns = [
    path("testimony-attachments/<int:pk>/", api.attachment_download, name="testimony-attachment"),
    path(
        "testimony-events/<int:pk>/correction/",
        api.event_correction,
        name="testimony-event-correction",
    ),
    path("naming-consents/", api.naming_consent, name="naming-consent"),
    path("timelines/<int:person_pk>/", api.timeline, name="timeline"),
    path("testimony-figures/", api.figures, name="testimony-figures"),
    path("", include(router.urls)),
]
