"""API routes of this app, included under /api/ by kinlink/api/urls.py."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("cases", api.CaseViewSet, basename="case")
router.register("pathways", api.PathwayViewSet, basename="pathway")
router.register("stages", api.StageViewSet, basename="stage")
router.register("task-templates", api.TaskTemplateViewSet, basename="task-template")
router.register("stage-moves", api.StageMoveViewSet, basename="stage-move")
router.register("tasks", api.TaskViewSet, basename="task")
router.register("documents", api.DocumentViewSet, basename="document")
router.register("document-types", api.DocumentTypeViewSet, basename="document-type")
router.register("referrals", api.ReferralViewSet, basename="referral")

urlpatterns = [
    path("deadlines/", api.deadlines, name="case-deadlines"),
    path("case-reports/", api.reports, name="case-reports"),
    path("", include(router.urls)),
]
