"""API routes of this app, included under /api/ by kinlink/api/urls.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
