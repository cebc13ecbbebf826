from django.urls import path

from . import views

app_name = "testimony"

urlpatterns = [
    path("", views.testimony_list, name="list"),
    path("new/", views.testimony_create, name="create"),
    path("<int:pk>/", views.testimony_detail, name="detail"),
    path("<int:pk>/reveal/", views.testimony_reveal, name="reveal"),
    path("<int:pk>/events/", views.event_create, name="event_create"),
    path("<int:pk>/attachments/", views.attachment_create, name="attachment_create"),
    path("<int:pk>/consents/", views.use_consent, name="use_consent"),
    path("<int:pk>/naming/", views.naming_consent, name="naming_consent"),
    path("<int:pk>/history/", views.testimony_history, name="history"),
    path("<int:pk>/correct/", views.account_correct, name="account_correct"),
    path("<int:pk>/mentions/", views.mention_create, name="mention_create"),
    path("events/<int:pk>/correct/", views.event_correct, name="event_correct"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("people/<int:pk>/", views.person_timeline, name="timeline"),
    path("places/", views.place_list, name="places"),
    path("places/<int:pk>/", views.place_detail, name="place"),
    path("event-types/", views.event_types, name="event_types"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<int:pk>/", views.export_download, name="export_download"),
    path("exports/jobs/<int:pk>/", views.export_job_status, name="export_job"),
    path("exports/jobs/<int:pk>/retry/", views.export_job_retry, name="export_job_retry"),
    path("figures/", views.figures, name="figures"),
]
