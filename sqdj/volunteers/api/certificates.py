"""`/api/v1/certificates/`: 志愿服务证明 (issue 16). Issued by `POST` (the member, the issuing org and the period: the
totals are counted and frozen by the service), revoked by the issuing side with `POST …/revoke/`; never changed or
deleted. No public endpoint: the verification is the public page's only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.core.api import COMMON_WRITE, ERROR, WITH_BODY, ServiceViewSet, scoped_schema
from sqdj.core.serializers import (
    CodeRelatedField,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictCharField,
)
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .. import certificates
from ..certificate_filtersets import CertificateFilterSet
from ..models import Certificate

CONFLICT = OpenApiResponse(ERROR, description=_("Someone else revoked it first; nothing was written."))


class CertificateSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:certificate-detail")
    member = ScopedPrimaryKeyRelatedField(model=Member, help_text=_("party member id"))
    member_name = serializers.CharField(source="member.name", read_only=True)
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code (the issuing organization)"))
    community = CodeRelatedField(read_only=True, help_text=_("community code"))

    class Meta:
        model = Certificate
        fields = ["id", "url", "number", "member", "member_name", "org", "community", "period_start", "period_end",
                  "hours", "records", "issued_on", "revoked_on", "revoke_reason"]  # fmt: skip
        read_only_fields = ["number", "hours", "records", "issued_on", "revoked_on", "revoke_reason"]


class CertificateRevokeSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=200)


@scoped_schema(CertificateSerializer, tags=["volunteers"])
class CertificateViewSet(ServiceViewSet):
    """志愿服务证明 of your scope (the issuing orgs and communities; a member: their own). `?q=` (name or number),
    `?community=CODE`, `?org=CODE`, `?year=`, `?revoked=`."""

    queryset = Certificate.objects.select_related("member", "org", "community").order_by("-issued_on", "-pk")
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    http_method_names = ["get", "post", "head", "options"]  # issued and revoked, never changed or deleted
    create_service = staticmethod(certificates.do_issue_certificate)

    @extend_schema(request=CertificateRevokeSerializer,
                   responses={200: CertificateSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None, **kwargs):
        """The issuing side revokes it with a reason; it stays, marked revoked."""
        certificate = self.get_object()
        body = CertificateRevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        certificate = certificates.do_revoke_certificate(certificate, acting_user=request.user, **body.validated_data)
        return Response(self.get_serializer(certificate).data)


routes = [("certificates", CertificateViewSet, "certificate")]
