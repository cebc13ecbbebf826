from django.contrib.auth import authenticate
from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from kinlink.accounts.models import User
from kinlink.accounts.roles import needs_two_factor
from kinlink.accounts.services import confirmed_totp_device
from kinlink.audit.selectors import filter_entries
from kinlink.people.selectors import persons_visible_to, search_persons
from kinlink.tracing.selectors import persons_found

from .permissions import CanReadAudit
from .serializers import (
    EntrySerializer,
    MeSerializer,
    PersonSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description="A name in any script or spelling, or a reference: the persons "
                "whose names contain it, that reference, and names spelled another way "
                "(Hosein finds Hossein, Husain and حسین), as the Persons page finds them.",
            )
        ]
    )
)
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """Persons in the caller's caseload. Others answer 404, as if they did not exist."""

    serializer_class = PersonSerializer

    def get_queryset(self):
        persons = persons_visible_to(self.request.user)
        query = self.request.query_params.get("q", "").strip() if self.action == "list" else ""
        if query:
            ids = persons_found(persons, query)
            persons = persons.filter(
                pk__in=ids if ids is not None else search_persons(persons, query).values("pk")
            )
        # The caseworker's username by a subquery rather than the whole user loaded, the
        # sealed fields (never in this serializer) left out.
        caseworker = User.objects.filter(pk=OuterRef("caseworker_id")).values("username")[:1]
        return (
            persons.prefetch_related("names")
            .annotate(caseworker_username=Subquery(caseworker))
            .defer("last_known_location", "contact")
            .order_by("reference")
        )


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log, for data-protection officers."""

    serializer_class = EntrySerializer
    permission_classes = [CanReadAudit]
    lookup_field = "seq"

    def get_queryset(self):
        params = self.request.query_params
        return filter_entries(
            actor=params.get("actor", ""),
            action=params.get("action", ""),
            object_type=params.get("object_type", ""),
            object_id=params.get("object_id", ""),
        )


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    user = request.user
    return Response(
        MeSerializer(
            {
                "username": user.username,
                "role": user.role,
                "team": user.team.name if user.team else None,
                "language": user.language or "en",
                "calendar": user.calendar,
            }
        ).data
    )


@extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def obtain_token(request: Request) -> Response:
    """Exchange username, password (and a TOTP code for two-factor roles) for an API token."""
    data = TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    user = authenticate(
        request._request,
        username=data.validated_data["username"],
        password=data.validated_data["password"],
    )
    if user is None:
        raise AuthenticationFailed("username or password is wrong, or the account is locked")
    if needs_two_factor(user.role):
        device = confirmed_totp_device(user)
        code = data.validated_data.get("code", "")
        if device is None or not code or not device.verify_token(code):
            raise AuthenticationFailed("this role needs a valid TOTP code in 'code'")
    token, _ = Token.objects.get_or_create(user=user)
    return Response({"token": token.key})
