"""REST endpoints for data-subject rights (mounted under /api/privacy/ by api_urls.py).

Data-protection officers only (from a two-factor session or a token issued with a TOTP
code); retention rules also for administrators. Same services as the pages; a rule's
refusal is 403, bad input 400. Serializers never hold a personal value: the export is the
only way out, and it is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from kinlink.api.permissions import IsActiveStaffMember
from kinlink.people.models import Person

from . import selectors, services
from .models import ErasureRequest, LegalGround, Method, Requester, RetentionRule


class IsDataProtectionOfficer(IsActiveStaffMember):
    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and selectors.is_dpo(request.user)


class MaySetRetention(IsActiveStaffMember):
    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and selectors.may_set_retention(request.user)


def _call(service: Callable[..., Any], **kwargs) -> Any:
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise ApiValidationError(detail) from exc


def _valid(serializer_class, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _one_of(values) -> str:
    return "one of: " + ", ".join(str(v) for v in values)


def _choice(values, **kwargs) -> serializers.ChoiceField:
    """A closed set checked by the serializer, so that a wrong value is a 400 naming the
    field; documented as a string listing its values, not as an enum (other apps use
    "method" and "format" for other sets, and enum components are named after fields)."""
    schema = {"type": "string", "description": _one_of(values)}
    field_class = extend_schema_field(schema)(type("OneOfField", (serializers.ChoiceField,), {}))
    return field_class(choices=[(str(v), str(v)) for v in values], **kwargs)


# -- serializers ---------------------------------------------------------------------------


class ErasureRequestSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True
    )
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True
    )
    ground = serializers.CharField(help_text=_one_of(LegalGround.values))
    requested_by = serializers.CharField(help_text=_one_of(Requester.values))
    method = serializers.CharField(help_text=_one_of(Method.values))
    state = serializers.CharField()
    summary = serializers.DictField(child=serializers.IntegerField())

    class Meta:
        model = ErasureRequest
        fields = [
            "id",
            "reference",
            "person",
            "person_reference",
            "ground",
            "ground_detail",
            "requested_by",
            "requested_on",
            "method",
            "state",
            "recorded_by",
            "recorded_at",
            "decided_by",
            "decided_at",
            "refusal_reason",
            "summary",
        ]
        read_only_fields = fields


class ErasureRequestCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    ground = _choice(LegalGround.values)
    ground_detail = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    requested_by = _choice(Requester.values)
    requested_on = serializers.DateField()


class CarryOutSerializer(serializers.Serializer):
    method = _choice(Method.values)
    confirm_reference = serializers.CharField(help_text="the person's reference, to confirm")


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ExportRequestSerializer(serializers.Serializer):
    format = _choice(services.EXPORT_FORMATS)
    reason = serializers.CharField(max_length=300, help_text="kept in the audit log")


class RetentionRuleSerializer(serializers.ModelSerializer):
    record_type = serializers.CharField(read_only=True)
    action = serializers.CharField(read_only=True)
    updated_by = serializers.CharField(
        source="updated_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = RetentionRule
        fields = [
            "id",
            "record_type",
            "action",
            "period_days",
            "enabled",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = ["id", "record_type", "action", "updated_by", "updated_at"]


Overview = inline_serializer(
    "PrivacyPersonOverview",
    {
        "reference": serializers.CharField(),
        "records": serializers.ListField(child=serializers.IntegerField()),
        "counts": serializers.DictField(child=serializers.IntegerField()),
        "holds": serializers.ListField(child=serializers.CharField()),
        "erased_or_pseudonymised": serializers.BooleanField(),
        "requests": ErasureRequestSerializer(many=True),
    },
)


# -- views ---------------------------------------------------------------------------------


class ErasureRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Erasure and pseudonymisation requests."""

    serializer_class = ErasureRequestSerializer
    permission_classes = [IsDataProtectionOfficer]

    def get_queryset(self):
        return selectors.requests_for()

    @extend_schema(
        request=ErasureRequestCreateSerializer, responses={201: ErasureRequestSerializer}
    )
    def create(self, request: Request) -> Response:
        data = _valid(ErasureRequestCreateSerializer, request)
        person = Person.objects.filter(pk=data.pop("person")).first()
        if person is None:
            raise ApiValidationError({"person": ["No such person."]})
        created = _call(services.record_request, user=request.user, person=person, **data)
        return Response(ErasureRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CarryOutSerializer, responses={200: ErasureRequestSerializer})
    @action(detail=True, methods=["post"], url_path="carry-out")
    def carry_out(self, request: Request, pk=None) -> Response:
        """Erase or pseudonymise the person; 400 with the holds when one applies."""
        data = _valid(CarryOutSerializer, request)
        done = _call(
            services.carry_out_request, user=request.user, request=self.get_object(), **data
        )
        return Response(ErasureRequestSerializer(done).data)

    @extend_schema(request=RefuseSerializer, responses={200: ErasureRequestSerializer})
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk=None) -> Response:
        data = _valid(RefuseSerializer, request)
        refused = _call(
            services.refuse_request,
            user=request.user,
            request=self.get_object(),
            reason=data["reason"],
        )
        return Response(ErasureRequestSerializer(refused).data)


class RetentionRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Retention periods per record type (data-protection officers and administrators)."""

    serializer_class = RetentionRuleSerializer
    permission_classes = [MaySetRetention]
    pagination_class = None
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.retention_rules()

    def list(self, request: Request, *args, **kwargs) -> Response:
        services.ensure_default_rules()  # shipped by a migration; back if a test flushed them
        return super().list(request, *args, **kwargs)

    def perform_update(self, serializer) -> None:
        rule = serializer.instance
        data = serializer.validated_data
        serializer.instance = _call(
            services.update_retention_rule,
            user=self.request.user,
            rule=rule,
            period_days=data.get("period_days", rule.period_days),
            enabled=data.get("enabled", rule.enabled),
        )


@extend_schema(responses=Overview)
@api_view(["GET"])
@permission_classes([IsDataProtectionOfficer])
def person_overview(request: Request, pk: int) -> Response:
    """How many records of each type are held about a person, and what holds an erasure."""
    person = get_object_or_404(Person, pk=pk)
    overview = services.overview(person)
    return Response(
        {
            "reference": person.reference,
            "records": overview["records"],
            "counts": overview["counts"],
            "holds": overview["holds"],
            "erased_or_pseudonymised": overview["done"],
            "requests": ErasureRequestSerializer(overview["requests"], many=True).data,
        }
    )


@extend_schema(
    request=ExportRequestSerializer,
    responses={
        200: OpenApiResponse(
            description="the subject-access document: application/json or application/pdf"
        )
    },
)
@api_view(["POST"])
@permission_classes([IsDataProtectionOfficer])
def person_export(request: Request, pk: int) -> HttpResponse:
    """Everything held about a person (subject access), audited with the reason given."""
    person = get_object_or_404(Person, pk=pk)
    data = _valid(ExportRequestSerializer, request)
    result = _call(
        services.export_subject_data,
        user=request.user,
        person=person,
        reason=data["reason"],
        fmt=data["format"],
    )
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["Cache-Control"] = "no-store"
    return response
