from rest_framework import serializers

from kinlink.audit.models import Entry
from kinlink.people.models import Person, PersonName


class PersonNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonName
        # Persons are listed only to those who may see their hidden names too.
        fields = [
            "kind",
            "given_name",
            "family_name",
            "father_name",
            "script",
            "language",
            "hidden",
        ]


class PersonSerializer(serializers.ModelSerializer):
    """No sensitive field appears here: contact and location leave only through the
    disclosure services, never through a generic serializer."""

    names = PersonNameSerializer(many=True, read_only=True)
    caseworker = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "reference",
            "names",
            "gender",
            "birth_year",
            "birth_year_margin",
            "birth_date",
            "birth_place",
            "nationality",
            "status",
            "caseworker",
            "created_at",
            "updated_at",
        ]


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Entry
        fields = [
            "seq",
            "at",
            "actor_id",
            "actor_username",
            "action",
            "object_type",
            "object_id",
            "field",
            "ip",
            "detail",
            "hash",
        ]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    team = serializers.CharField(allow_null=True)
    language = serializers.CharField()
    calendar = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    code = serializers.CharField(
        required=False, help_text="TOTP code; required for two-factor roles"
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
