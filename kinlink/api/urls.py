from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("persons", views.PersonViewSet, basename="person")
router.register("audit", views.AuditEntryViewSet, basename="audit-entry")

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("token/", views.obtain_token, name="api-token"),
    path("me/", views.me, name="api-me"),
    path("", include("kinlink.people.api_urls")),
    path("", include("kinlink.tracing.api_urls")),
    path("", include("kinlink.cases.api_urls")),
    path("", include("kinlink.testimony.api_urls")),
    path("", include("kinlink.privacy.api_urls")),
    path("", include(router.urls)),
]
