"""Pages under /<lang>/tracing/. The registry pages (people.views) are mounted here too,
under persons/, until the project gives them a place of their own."""

from django.urls import path

from kinlink.people import views as people_views
from kinlink.people import views_basis

from . import views, views_notices, views_transfers

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
    path("<int:pk>/notice/", views_notices.notice_manage, name="notice_manage"),
    path("<int:pk>/notice/consent/", views_notices.notice_consent, name="notice_consent"),
    path("<int:pk>/notice/withdraw/", views_notices.notice_withdraw, name="notice_withdraw"),
    path("<int:pk>/notice/photo/", views_notices.notice_photo_upload, name="notice_photo_upload"),
    # Public, no login: only while the enquirer's consent to publication stands.
    path("notices/<str:token>/", views_notices.notice_public, name="notice_public"),
    path("notices/<str:token>/photo.jpg", views_notices.notice_photo, name="notice_photo"),
    path("transfers/", views_transfers.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", views_transfers.transfer_detail, name="transfer_detail"),
    path("<int:pk>/transfer/", views_transfers.transfer_create, name="transfer_create"),
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
    path("persons/<int:pk>/others/", views.person_other_records, name="person_other_records"),
    path("persons/<int:pk>/bases/", views_basis.person_bases, name="person_bases"),
    path(
        "persons/<int:pk>/bases/<int:record_pk>/withdraw/",
        views_basis.person_basis_withdraw,
        name="person_basis_withdraw",
    ),
    path(
        "persons/<int:pk>/merges/<int:merge_pk>/undo/",
        people_views.merge_undo,
        name="person_merge_undo",
    ),
]
