from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/move/", views.case_move, name="case_move"),
    path("<int:pk>/reassign/", views.case_reassign, name="case_reassign"),
    path("<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path("<int:pk>/referrals/new/", views.referral_create, name="referral_create"),
    path("tasks/<int:pk>/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/status/", views.task_status, name="task_status"),
    path("documents/<int:pk>/", views.document_edit, name="document_edit"),
    path("documents/<int:pk>/scan/", views.document_scan, name="document_scan"),
    path("documents/<int:pk>/number/", views.document_number, name="document_number"),
    path("referrals/<int:pk>/", views.referral_edit, name="referral_edit"),
    path("reports/", views.reports, name="reports"),
    path("reports/<slug:table>.csv", views.report_csv, name="report_csv"),
    path("settings/", views.settings_home, name="settings"),
    path("settings/pathways/new/", views.pathway_edit, name="pathway_create"),
    path("settings/pathways/<int:pk>/", views.pathway_edit, name="pathway_edit"),
    path("settings/pathways/<int:pathway_pk>/stages/new/", views.stage_edit, name="stage_create"),
    path(
        "settings/pathways/<int:pathway_pk>/stages/<int:pk>/",
        views.stage_edit,
        name="stage_edit",
    ),
    path(
        "settings/stages/<int:stage_pk>/templates/new/",
        views.template_edit,
        name="template_create",
    ),
    path(
        "settings/stages/<int:stage_pk>/templates/<int:pk>/",
        views.template_edit,
        name="template_edit",
    ),
    path("settings/document-types/new/", views.document_type_edit, name="document_type_create"),
    path("settings/document-types/<int:pk>/", views.document_type_edit, name="document_type_edit"),
]
