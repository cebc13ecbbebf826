"""API routes of the registry's changes, included under /api/ by kinlink/api/urls.py
(before the read-only persons router)."""

from django.urls import path

from . import api

urlpatterns = [
    path("persons/<int:pk>/merges/", api.PersonMergesView.as_view(), name="person-merges"),
    path("persons/<int:pk>/merge/", api.PersonMergeView.as_view(), name="person-merge"),
    path(
        "persons/<int:pk>/merges/<int:merge_pk>/undo/",
        api.MergeUndoView.as_view(),
        name="person-merge-undo",
    ),
    path("persons/<int:pk>/bases/", api.PersonBasesView.as_view(), name="person-bases"),
    path(
        "persons/<int:pk>/bases/<int:record_pk>/withdraw/",
        api.PersonBasisWithdrawView.as_view(),
        name="person-basis-withdraw",
    ),
]
