"""REST endpoints for cases. Same rules as the pages: reads through selectors (records outside
the caller's caseload answer 404), writes through services (403 outside it, 400 with the
rule's message for a broken rule)."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kinlink.accounts.roles import may_see_reports
from kinlink.audit.models import Action
from kinlink.audit.services import record
from kinlink.people.selectors import persons_visible_to

from . import aggregates, selectors, services
from . import serializers as s
from .forms import ReportFilterForm
from .models import DocumentType, Pathway, Stage, TaskTemplate

CASE_FILTER = OpenApiParameter("case", int, description="only this case's records")


def run(call: Callable[[], Any]) -> Any:
    """Run a service; its Django ValidationError becomes a 400 naming the field."""
    try:
        return call()
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise ApiValidationError(detail) from error


def _by_case(queryset, request: Request):
    case = request.query_params.get("case")
    return queryset.filter(case_id=case) if case and case.isdigit() else queryset


class ConfigurationViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Configuration anyone signed in may read (pages and forms need it) and only an
    administrator may change, through the same services as the settings pages."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def save_through_service(self, instance):
        raise NotImplementedError

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        changes = request.method not in ("GET", "HEAD", "OPTIONS")
        if changes and not services.may_configure_cases(request.user):
            raise PermissionDenied("only administrators change pathways, stages and templates")

    def perform_create(self, serializer) -> None:
        instance = serializer.Meta.model(**serializer.validated_data)
        serializer.instance = run(lambda: self.save_through_service(instance))

    def perform_update(self, serializer) -> None:
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        run(lambda: self.save_through_service(instance))

    @extend_schema(exclude=True)
    def update(self, request: Request, *args, **kwargs) -> Response:
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)


class PathwayViewSet(ConfigurationViewSet):
    """Pathways and their stages. Administrators create and change them (POST, PATCH) and set
    the order of their stages (POST .../reorder/)."""

    serializer_class = s.PathwaySerializer
    queryset = Pathway.objects.prefetch_related("stages")

    def save_through_service(self, instance):
        return services.save_pathway(user=self.request.user, pathway=instance)

    @extend_schema(request=s.StageOrderSerializer, responses=s.StageSerializer(many=True))
    @action(detail=True, methods=["post"])
    def reorder(self, request: Request, pk: str | None = None) -> Response:
        pathway = self.get_object()
        data = s.StageOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stages = run(
            lambda: services.reorder_stages(
                user=request.user, pathway=pathway, stage_ids=data.validated_data["stages"]
            )
        )
        return Response(s.StageSerializer(stages, many=True).data)


class StageViewSet(mixins.DestroyModelMixin, ConfigurationViewSet):
    """Stages. Administrators add, rename, reorder (`position`) and delete stages that no case
    has been in; a stage stays in its pathway."""

    serializer_class = s.StageSerializer
    queryset = Stage.objects.select_related("pathway")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def save_through_service(self, instance):
        return services.save_stage(user=self.request.user, stage=instance)

    def perform_destroy(self, instance) -> None:
        run(lambda: services.delete_stage(user=self.request.user, stage=instance))


@extend_schema(parameters=[OpenApiParameter("stage", int, description="only this stage's")])
class TaskTemplateViewSet(ConfigurationViewSet):
    """Task templates per stage: every case entering the stage gets the task once.
    Administrators add and change them; `active: false` retires one."""

    serializer_class = s.TaskTemplateSerializer

    def get_queryset(self):
        templates = TaskTemplate.objects.select_related("stage").order_by(
            "stage_id", "position", "id"
        )
        stage = self.request.query_params.get("stage")
        return templates.filter(stage_id=stage) if stage and stage.isdigit() else templates

    def save_through_service(self, instance):
        return services.save_task_template(user=self.request.user, template=instance)


class DocumentTypeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.DocumentTypeSerializer
    queryset = DocumentType.objects.all()


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cases in the caller's caseload. Open one with POST; move it with POST .../move/."""

    serializer_class = s.CaseSerializer

    def get_queryset(self):
        return selectors.cases_visible_to(self.request.user).select_related(
            "person", "stage", "caseworker", "team"
        )

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        case = self.get_object()
        services.note_case_read(request.user, case)
        return Response(self.get_serializer(case).data)

    @extend_schema(request=s.CaseOpenSerializer, responses={201: s.CaseSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = s.CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = persons_visible_to(request.user).filter(pk=values["person"]).first()
        if person is None:
            raise ApiValidationError({"person": "no such person in your caseload"})
        case = run(
            lambda: services.open_case(
                user=request.user,
                person=person,
                pathway=values.get("pathway"),
                opened_on=values.get("opened_on"),
                reason=values.get("reason", ""),
            )
        )
        return Response(s.CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MoveRequestSerializer, responses=s.StageMoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        data = s.MoveRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        move = run(
            lambda: services.move_case(
                user=request.user,
                case=case,
                to_stage=values["to_stage"],
                reason=values["reason"],
                moved_at=values.get("moved_on"),
                outcome=values.get("outcome", ""),
            )
        )
        return Response(s.StageMoveSerializer(move).data)

    @extend_schema(request=s.ReassignRequestSerializer, responses=s.ReassignmentSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        """A supervisor hands the case to another caseworker of the team, saying why."""
        case = self.get_object()
        data = s.ReassignRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        reassignment = run(
            lambda: services.reassign_case(
                user=request.user,
                case=case,
                caseworker=values["caseworker"],
                reason=values["reason"],
                include_tasks=values["include_tasks"],
            )
        )
        return Response(s.ReassignmentSerializer(reassignment).data)

    @extend_schema(responses=s.StageStaySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def stays(self, request: Request, pk: str | None = None) -> Response:
        """Each stay in a stage with its length in days; the last is the current stage."""
        case = self.get_object()
        now = timezone.now()
        stays = [
            {
                "stage": stay.stage,
                "entered_at": stay.entered_at,
                "left_at": stay.left_at,
                "days": stay.duration(now).days,
                "move": stay.move,
            }
            for stay in selectors.stage_stays(case)
        ]
        return Response(s.StageStaySerializer(stays, many=True).data)


@extend_schema(parameters=[CASE_FILTER])
class StageMoveViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.StageMoveSerializer

    def get_queryset(self):
        moves = selectors.moves_visible_to(self.request.user).select_related("moved_by", "to_stage")
        return _by_case(moves, self.request).order_by("case_id", "moved_at", "id")


@extend_schema(parameters=[CASE_FILTER])
class TaskViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Plan tasks. PATCH changes title, due date, owner, notes or status."""

    serializer_class = s.TaskSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        tasks = selectors.tasks_visible_to(self.request.user).select_related(
            "owner", "document__document_type"
        )
        status_filter = self.request.query_params.get("status")
        tasks = tasks.filter(status=status_filter) if status_filter else tasks
        return _by_case(tasks, self.request).order_by("case_id", "due_on", "id")

    @extend_schema(request=s.TaskWriteSerializer, responses={201: s.TaskSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = s.TaskWriteSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "case" not in values or "title" not in values:
            raise ApiValidationError({"case": "required", "title": "required"})
        task = run(
            lambda: services.add_task(
                user=request.user,
                case=values["case"],
                title=values["title"],
                due_on=values.get("due_on"),
                owner=values.get("owner"),
                notes=values.get("notes", ""),
            )
        )
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TaskWriteSerializer, responses=s.TaskSerializer)
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        task = self.get_object()
        data = s.TaskWriteSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run(
            lambda: services.update_task(
                user=request.user,
                task=task,
                title=values.get("title"),
                due_on=values.get("due_on"),
                owner=values.get("owner"),
                notes=values.get("notes"),
            )
        )
        if "status" in values:
            run(
                lambda: services.set_task_status(
                    user=request.user, task=task, status=values["status"]
                )
            )
        return Response(s.TaskSerializer(task).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args, **kwargs) -> Response:
        return self.partial_update(request, *args, **kwargs)


@extend_schema(parameters=[CASE_FILTER])
class DocumentViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Documents. POST as multipart/form-data to upload a scan; the number is write-only and
    read back only through POST .../number/ with a reason."""

    serializer_class = s.DocumentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        documents = selectors.documents_visible_to(self.request.user).select_related(
            "document_type", "case"
        )
        return _by_case(documents, self.request).order_by("case_id", "expires_on", "id")

    @extend_schema(request=s.DocumentCreateSerializer, responses={201: s.DocumentSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = s.DocumentCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        document = run(lambda: services.add_document(user=request.user, **data.validated_data))
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DocumentUpdateSerializer, responses=s.DocumentSerializer)
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        document = self.get_object()
        data = s.DocumentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        new_status = values.pop("status", None)
        run(lambda: services.update_document(user=request.user, document=document, **values))
        if new_status and new_status != document.status:
            run(
                lambda: services.mark_document(
                    user=request.user, document=document, status=new_status
                )
            )
        return Response(s.DocumentSerializer(document).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args, **kwargs) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=s.RevealRequestSerializer, responses=s.RevealedNumberSerializer)
    @action(detail=True, methods=["post"])
    def number(self, request: Request, pk: str | None = None) -> Response:
        """The document's number, decrypted; the read is audited with the reason given."""
        document = self.get_object()
        data = s.RevealRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        number = run(
            lambda: services.read_document_number(
                user=request.user, document=document, reason=data.validated_data["reason"]
            )
        )
        response = Response({"number": number})
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def scan(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The scan as uploaded, checked against its SHA-256; the read is audited."""
        document = self.get_object()
        if not document.scan:
            raise NotFound("this document has no scan")
        content = services.read_document_scan(user=request.user, document=document)
        content_type = document.scan_content_type or "application/octet-stream"
        response = HttpResponse(content, content_type=content_type)
        extension = mimetypes.guess_extension(content_type) or ".bin"
        filename = f"{document.case.reference}-document-{document.pk}{extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


@extend_schema(parameters=[CASE_FILTER])
class ReferralViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = s.ReferralSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        referrals = selectors.referrals_visible_to(self.request.user)
        return _by_case(referrals, self.request).order_by("case_id", "referred_on", "id")

    @extend_schema(request=s.ReferralWriteSerializer, responses={201: s.ReferralSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = s.ReferralWriteSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("outcome", None)
        if "case" not in values:
            raise ApiValidationError({"case": "required"})
        referral = run(
            lambda: services.add_referral(
                user=request.user,
                case=values.pop("case"),
                service_type=values.pop("service_type", ""),
                partner=values.pop("partner", ""),
                **values,
            )
        )
        return Response(s.ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReferralWriteSerializer, responses=s.ReferralSerializer)
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        referral = self.get_object()
        data = s.ReferralWriteSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run(
            lambda: services.update_referral(
                user=request.user,
                referral=referral,
                status=values.get("status"),
                outcome=values.get("outcome"),
                notes=values.get("notes"),
                partner=values.get("partner"),
            )
        )
        return Response(s.ReferralSerializer(referral).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args, **kwargs) -> Response:
        return self.partial_update(request, *args, **kwargs)


@extend_schema(responses=s.DeadlinesSerializer)
@api_view(["GET"])
def deadlines(request: Request) -> Response:
    """The caller's overdue tasks and those due in the next seven days; for a supervisor also
    the team's overdue tasks."""
    result = selectors.deadlines_for(request.user)
    return Response(s.DeadlinesSerializer(result).data)


REPORT_FILTERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="start of the period"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="end of the period"),
    OpenApiParameter("team", int, description="cases of this team"),
    OpenApiParameter("pathway", int, description="cases on this pathway"),
    OpenApiParameter("stage", int, description="this stage only"),
    OpenApiParameter("nationality", str, description="cases of persons of this nationality"),
]


@extend_schema(parameters=REPORT_FILTERS, responses=s.ReportTableSerializer(many=True))
@api_view(["GET"])
def reports(request: Request) -> Response:
    """Every case report table, counts below five written as "<5" (as in the CSV files),
    filtered like the report page."""
    if not may_see_reports(request.user.role):
        raise PermissionDenied("reports are for supervisors, analysts and data-protection officers")
    form = ReportFilterForm(request.query_params or None)
    if request.query_params and not form.is_valid():
        raise ApiValidationError(form.errors)
    scope = form.scope()
    tables = []
    for name in aggregates.CSV_TABLES:
        header, rows = aggregates.csv_table(name, scope=scope)
        tables.append({"name": name, "header": header, "rows": rows})
    filters = {k: v for k, v in request.query_params.items() if v and k in form.fields}
    record(
        Action.EXPORT,
        object_type="cases.report",
        object_id="api",
        detail={"filters": filters} if filters else None,
    )
    return Response(s.ReportTableSerializer(tables, many=True).data)
