from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language

from kinlink.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("kinlink.api.urls")),
]
urlpatterns += i18n_patterns(
    path("accounts/", include("kinlink.accounts.urls")),
    path("tracing/", include("kinlink.tracing.urls")),
    path("cases/", include("kinlink.cases.urls")),
    path("testimony/", include("kinlink.testimony.urls")),
    path("privacy/", include("kinlink.privacy.urls")),
    path("", include("kinlink.web.urls")),
    prefix_default_language=True,
)
