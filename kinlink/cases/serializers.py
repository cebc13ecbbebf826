"""API shapes for cases. No sealed field appears here: a document's number leaves only
through the audited `number` action, a scan only through the audited `scan` download."""

from __future__ import annotations

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kinlink.accounts.models import User

from .models import (
    Case,
    Document,
    DocumentStatus,
    DocumentType,
    Outcome,
    Pathway,
    Reassignment,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    ServiceType,
    Stage,
    StageMove,
    Task,
    TaskKind,
    TaskStatus,
    TaskTemplate,
)
from .selectors import cases_visible_to, documents_visible_to


def enum_field(choices: type[models.TextChoices], **kwargs) -> serializers.ChoiceField:
    """A choice field whose enum stays inline in the schema (wrapped in allOf, which the enum
    hoisting of drf-spectacular leaves alone), so that the many fields named "status" or
    "outcome" across kinlink do not compete for one component name. With allow_blank the
    enum lists "" too (an open case has no outcome yet)."""
    values = [*([""] if kwargs.get("allow_blank") else []), *choices.values]
    schema = {"allOf": [{"type": "string", "enum": values}]}
    field_class = type(f"{choices.__name__}Field", (serializers.ChoiceField,), {})
    return extend_schema_field(schema)(field_class)(choices=choices.choices, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class VisibleCaseField(serializers.PrimaryKeyRelatedField):
    """A case id from the caller's caseload; any other id reads as "does not exist"."""

    def get_queryset(self):
        return cases_visible_to(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleDocumentField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return documents_visible_to(self.context["request"].user)


class StageSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Stage
        fields = ["id", "pathway", "name", "label", "code", "position", "is_final"]
        # The service checks a twin name and says which field (as on the settings pages).
        validators: list = []

    def update(self, instance, validated_data):
        # A stage stays in its pathway: cases and moves point at it.
        validated_data.pop("pathway", None)
        return super().update(instance, validated_data)


class TaskTemplateSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = TaskTemplate
        fields = [
            "id",
            "stage",
            "title",
            "label",
            "description",
            "due_after_days",
            "position",
            "active",
        ]


class StageOrderSerializer(serializers.Serializer):
    stages = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="every stage id of the pathway, in the new order",
    )


class PathwaySerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    stages = StageSerializer(many=True, read_only=True)
    is_default = serializers.BooleanField(required=False)

    class Meta:
        model = Pathway
        fields = ["id", "name", "label", "description", "is_default", "active", "stages"]
        # One default pathway: the service moves the mark instead of refusing a second.
        validators: list = []


class DocumentTypeSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = DocumentType
        fields = ["id", "name", "label", "code", "renewal_lead_days", "active"]


class CaseSerializer(serializers.ModelSerializer):
    person_reference = serializers.CharField(source="person.reference", read_only=True)
    stage_label = serializers.CharField(source="stage.label", read_only=True)
    caseworker = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    team = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    outcome = enum_field(Outcome, read_only=True, allow_blank=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "person",
            "person_reference",
            "pathway",
            "stage",
            "stage_label",
            "stage_entered_at",
            "caseworker",
            "team",
            "opened_on",
            "closed_on",
            "outcome",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CaseOpenSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="id of a person in your caseload")
    pathway = serializers.PrimaryKeyRelatedField(
        queryset=Pathway.objects.filter(active=True), required=False
    )
    opened_on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True)


class MoveRequestSerializer(serializers.Serializer):
    to_stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all())
    reason = serializers.CharField()
    moved_on = serializers.DateField(required=False, help_text="default: now")
    outcome = enum_field(Outcome, required=False, allow_blank=True)


class ReassignRequestSerializer(serializers.Serializer):
    caseworker = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), help_text="an active caseworker of your team"
    )
    reason = serializers.CharField()
    include_tasks = serializers.BooleanField(
        default=True, help_text="hand over the previous caseworker's open tasks too"
    )


class ReassignmentSerializer(serializers.ModelSerializer):
    from_caseworker = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    to_caseworker = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reassigned_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Reassignment
        fields = [
            "id",
            "case",
            "from_caseworker",
            "to_caseworker",
            "reassigned_by",
            "reassigned_at",
            "reason",
            "tasks_moved",
            "person_moved",
        ]


class StageMoveSerializer(serializers.ModelSerializer):
    moved_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    to_stage_label = serializers.CharField(source="to_stage.label", read_only=True)

    class Meta:
        model = StageMove
        fields = [
            "id",
            "case",
            "from_stage",
            "to_stage",
            "to_stage_label",
            "moved_at",
            "moved_by",
            "reason",
            "recorded_at",
        ]
        read_only_fields = fields


class StageStaySerializer(serializers.Serializer):
    stage = serializers.IntegerField(source="stage.pk")
    stage_label = serializers.CharField(source="stage.label")
    entered_at = serializers.DateTimeField()
    left_at = serializers.DateTimeField(allow_null=True)
    days = serializers.IntegerField()
    moved_by = serializers.CharField(source="move.moved_by.username", allow_null=True)
    reason = serializers.CharField(source="move.reason")


class TaskSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    label = serializers.CharField(read_only=True)
    kind = enum_field(TaskKind, read_only=True)
    status = enum_field(TaskStatus, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "case",
            "title",
            "label",
            "notes",
            "kind",
            "owner",
            "due_on",
            "status",
            "template",
            "document",
            "for_expiry",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TaskWriteSerializer(serializers.Serializer):
    case = VisibleCaseField(required=False)
    title = serializers.CharField(required=False)
    due_on = serializers.DateField(required=False, allow_null=True)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    status = enum_field(TaskStatus, required=False)


class DocumentSerializer(serializers.ModelSerializer):
    document_type_label = serializers.CharField(source="document_type.label", read_only=True)
    has_number = serializers.SerializerMethodField()
    has_scan = serializers.SerializerMethodField()
    status = enum_field(DocumentStatus, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "case",
            "document_type",
            "document_type_label",
            "issuing_country",
            "has_number",
            "issued_on",
            "expires_on",
            "status",
            "has_scan",
            "scan_sha256",
            "scan_size",
            "scan_content_type",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_number(self, document: Document) -> bool:
        return document.number is not None

    def get_has_scan(self, document: Document) -> bool:
        return bool(document.scan)


class DocumentCreateSerializer(serializers.Serializer):
    case = VisibleCaseField()
    document_type = serializers.PrimaryKeyRelatedField(
        queryset=DocumentType.objects.filter(active=True)
    )
    issuing_country = serializers.CharField(required=False, allow_blank=True, default="")
    number = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="stored encrypted"
    )
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    scan = serializers.FileField(required=False, allow_null=True, default=None)
    replaces = VisibleDocumentField(required=False, allow_null=True, default=None)


class DocumentUpdateSerializer(serializers.Serializer):
    issuing_country = serializers.CharField(required=False, allow_blank=True)
    issued_on = serializers.DateField(required=False)
    expires_on = serializers.DateField(required=False)
    number = serializers.CharField(required=False, allow_blank=True)
    status = enum_field(DocumentStatus, required=False)
    scan = serializers.FileField(required=False)


class RevealRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="why you need it; recorded in the audit log")


class RevealedNumberSerializer(serializers.Serializer):
    number = serializers.CharField(allow_null=True)


class ReferralSerializer(serializers.ModelSerializer):
    service_type = enum_field(ServiceType, read_only=True)
    status = enum_field(ReferralStatus, read_only=True)
    outcome = enum_field(ReferralOutcome, read_only=True, allow_blank=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "service_type",
            "partner",
            "status",
            "outcome",
            "notes",
            "referred_on",
            "closed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReferralWriteSerializer(serializers.Serializer):
    case = VisibleCaseField(required=False)
    service_type = enum_field(ServiceType, required=False)
    partner = serializers.CharField(required=False)
    referred_on = serializers.DateField(required=False)
    status = enum_field(ReferralStatus, required=False)
    outcome = enum_field(ReferralOutcome, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class DeadlineTaskSerializer(TaskSerializer):
    case_reference = serializers.CharField(source="case.reference", read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "case_reference"]
        read_only_fields = fields


class DeadlinesSerializer(serializers.Serializer):
    today = serializers.DateField()
    overdue = DeadlineTaskSerializer(many=True)
    due_soon = DeadlineTaskSerializer(many=True)
    team_overdue = DeadlineTaskSerializer(many=True)
    overdue_count = serializers.IntegerField()
    due_soon_count = serializers.IntegerField()
    team_overdue_count = serializers.IntegerField()


class ReportTableSerializer(serializers.Serializer):
    name = serializers.CharField()
    header = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
