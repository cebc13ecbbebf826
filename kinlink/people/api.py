"""REST endpoints of the registry that change records: merging two records of the same
person and undoing a merge, and the legal basis per purpose. Mounted under /api/ by
people/api_urls.py. Thin: the same services and the same checks as the pages (a person
outside the caller's caseload answers 404; only caseworkers and supervisors change)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import basis as legal_basis
from . import services
from .models import Consent, ConsentMethod, ConsentPurpose, LegalBasis, Person, PersonMerge
from .selectors import persons_visible_to


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        ) from exc


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field listed in the schema as a string, not an enum (drf-spectacular names
    enums after the field, and "purpose" and "method" mean other sets in other apps)."""
    values = ", ".join(repr(value) for value, _label in choices)
    field_class = extend_schema_field({"type": "string", "description": f"one of {values}"})(
        type("ListedChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)


def _person(request: Request, pk: int) -> Person:
    return get_object_or_404(persons_visible_to(request.user, include_merged=True), pk=pk)


class MergeRequestSerializer(serializers.Serializer):
    duplicate = serializers.CharField(
        max_length=20, help_text="reference of the other record, folded into this one"
    )
    reason = serializers.CharField(max_length=300)


class MergeUndoSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class MergeSerializer(serializers.ModelSerializer):
    survivor = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    merged = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    undone_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = PersonMerge
        fields = ["id", "survivor", "merged", "reason", "at", "by", "undone_at", "undone_by"]


class PersonMergesView(APIView):
    @extend_schema(responses=MergeSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """The merges into this record, newest first (undone ones included)."""
        person = _person(request, pk)
        merges = person.merges_in.select_related("survivor", "merged", "by", "undone_by")
        return Response(MergeSerializer(merges, many=True).data)


class PersonMergeView(APIView):
    @extend_schema(request=MergeRequestSerializer, responses={201: MergeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Fold another record of the same person (by reference) into this one."""
        survivor = _person(request, pk)
        data = MergeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        duplicate = (
            persons_visible_to(request.user)
            .filter(reference__iexact=data.validated_data["duplicate"].strip())
            .first()
        )
        if duplicate is None:
            raise ValidationError({"duplicate": ["No such person in your caseload."]})
        merge = _call(
            services.merge_persons,
            user=request.user,
            survivor=survivor,
            merged=duplicate,
            reason=data.validated_data["reason"],
        )
        return Response(MergeSerializer(merge).data, status=status.HTTP_201_CREATED)


class MergeUndoView(APIView):
    @extend_schema(request=MergeUndoSerializer, responses=MergeSerializer)
    def post(self, request: Request, pk: int, merge_pk: int) -> Response:
        """Undo a merge into this record: both records come back as they were."""
        person = _person(request, pk)
        merge = get_object_or_404(PersonMerge, pk=merge_pk, survivor=person)
        data = MergeUndoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        merge = _call(
            services.undo_merge,
            user=request.user,
            merge=merge,
            reason=data.validated_data["reason"],
        )
        return Response(MergeSerializer(merge).data)


# -- legal basis per purpose ------------------------------------------------------------------


class LegalBasisSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    withdrawn_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    in_force = serializers.BooleanField(read_only=True)
    purpose = _choice(ConsentPurpose.choices, read_only=True)
    basis = _choice(LegalBasis.choices, read_only=True)
    scope = serializers.CharField(read_only=True)
    method = serializers.CharField(read_only=True)

    class Meta:
        model = Consent
        fields = ["id", "purpose", "basis", "scope", "coverage", "context", "obtained_on"]
        fields += ["method", "note", "recorded_by", "recorded_at", "in_force"]
        fields += ["withdrawn_at", "withdrawn_by", "withdrawal_reason"]


class LegalBasisRequestSerializer(serializers.Serializer):
    purpose = _choice(
        [c for c in ConsentPurpose.choices if c[0] != ConsentPurpose.FAMILY_TRACING],
        help_text="family tracing is recorded on the enquiry (what the family may learn)",
    )
    basis = _choice(LegalBasis.choices)
    coverage = serializers.CharField(max_length=300)
    obtained_on = serializers.DateField()
    method = _choice(ConsentMethod.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BasisWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PersonBasesView(APIView):
    @extend_schema(responses=LegalBasisSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """Every legal basis recorded for this person, newest first."""
        person = _person(request, pk)
        return Response(LegalBasisSerializer(legal_basis.legal_bases_of(person), many=True).data)

    @extend_schema(request=LegalBasisRequestSerializer, responses={201: LegalBasisSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Record the basis of a processing for a purpose; it replaces the one in force."""
        person = _person(request, pk)
        data = LegalBasisRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = _call(
            legal_basis.record_basis_by, user=request.user, person=person, **data.validated_data
        )
        return Response(LegalBasisSerializer(record).data, status=status.HTTP_201_CREATED)


class PersonBasisWithdrawView(APIView):
    @extend_schema(request=BasisWithdrawSerializer, responses=LegalBasisSerializer)
    def post(self, request: Request, pk: int, record_pk: int) -> Response:
        person = _person(request, pk)
        record = get_object_or_404(Consent, pk=record_pk, person=person)
        data = BasisWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = _call(
            legal_basis.withdraw_basis_by,
            user=request.user,
            record=record,
            reason=data.validated_data["reason"],
        )
        return Response(LegalBasisSerializer(record).data)
