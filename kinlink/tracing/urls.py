"""Pages under /<lang>/tracing/. The registry pages (people.views) are mounted here too,
under persons/, until the project gives them a place of their own."""

from django.urls import path

from kinlink.people import views as people_views

from . import views

app_name = "tracing"

urlpatterns = [
    path("", views.enquiry_list, name="enquiry_list"),
    path("new/", views.enquiry_create, name="enquiry_create"),
    path("import/", views.import_file, name="import_file"),
    path("import/<int:pending>/errors.<str:fmt>", views.import_errors, name="import_errors"),
    path("export/", views.caseload_export_page, name="caseload_export_page"),
    path("export.<str:fmt>", views.caseload_export, name="caseload_export"),
    path("<int:pk>/", views.enquiry_detail, name="enquiry_detail"),
    path("<int:pk>/search/", views.enquiry_search, name="enquiry_search"),
    path("<int:pk>/asked/", views.enquiry_asked, name="enquiry_asked"),
    path("<int:pk>/close/", views.enquiry_close, name="enquiry_close"),
    path("<int:pk>/reopen/", views.enquiry_reopen, name="enquiry_reopen"),
    path("<int:pk>/consent/", views.enquiry_consent, name="enquiry_consent"),
    path("<int:pk>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/messages/", views.message_create, name="message_create"),
    path("<int:pk>/letter/", views.family_letter, name="family_letter"),
    path("candidates/<int:pk>/verify/", views.candidate_verify, name="candidate_verify"),
    path("candidates/<int:pk>/decide/", views.candidate_decide, name="candidate_decide"),
    path("messages/<int:pk>/review/", views.message_review, name="message_review"),
    path("messages/<int:pk>/deliver/", views.message_deliver, name="message_deliver"),
    path("messages/<int:pk>/reply/", views.message_reply, name="message_reply"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("persons/new/", people_views.person_create, name="person_create"),
    path("persons/<int:pk>/", people_views.person_record, name="person_record"),
    path("persons/<int:pk>/edit/", people_views.person_edit, name="person_edit"),
    path("persons/<int:pk>/names/", people_views.person_add_name, name="person_add_name"),
    path(
        "persons/<int:pk>/names/<int:name_pk>/remove/",
        people_views.person_remove_name,
        name="person_remove_name",
    ),
    path(
        "persons/<int:pk>/relationships/",
        people_views.person_add_relationship,
        name="person_add_relationship",
    ),
    path("persons/<int:pk>/merge/", people_views.person_merge, name="person_merge"),
    path(
        "persons/<int:pk>/merges/<int:merge_pk>/undo/",
        people_views.merge_undo,
        name="person_merge_undo",
    ),
]
