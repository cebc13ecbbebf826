from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("persons/<int:pk>/", views.person_data, name="person"),
    path("persons/<int:pk>/export/", views.person_export, name="export"),
    path("persons/<int:pk>/requests/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/carry-out/", views.request_carry_out, name="carry_out"),
    path("requests/<int:pk>/refuse/", views.request_refuse, name="refuse"),
    path("retention/", views.retention, name="retention"),
]
