"""REST machinery shared by every app: scoped viewsets and their documented responses."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from .rest import ACTION_FOR_METHOD

ERROR = inline_serializer("Error", {"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(description=_("Field errors: {field: [message, …]}"))
COMMON_READ = {401: ERROR, 403: ERROR, 404: ERROR}
COMMON_WRITE = {400: FIELD_ERRORS, 401: ERROR, 403: ERROR, 404: ERROR}


def scoped_schema(serializer):
    """Document every status code a client can get from a ScopedModelViewSet (schemathesis checks this)."""
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), 400: FIELD_ERRORS, 401: ERROR, 403: ERROR}),
        retrieve=extend_schema(responses={200: serializer, **COMMON_READ}),
        create=extend_schema(responses={201: serializer, **COMMON_WRITE}),
        update=extend_schema(responses={200: serializer, **COMMON_WRITE}),
        partial_update=extend_schema(responses={200: serializer, **COMMON_WRITE}),
        destroy=extend_schema(responses={204: None, **COMMON_WRITE}),
    )


class ScopedModelViewSet(viewsets.ModelViewSet):
    """A model's REST resource. Subclasses set `queryset`, `serializer_class`, `filterset_class` and the
    service hooks; every request goes through `restrict(user, action)`, writes through the services."""

    def get_queryset(self):
        # every object is first looked up among those the user may see (else 404); a write then needs the
        # action's permission on it too (else 403)
        return super().get_queryset().restrict(self.request.user, "view")

    def get_object(self):
        obj = super().get_object()
        action = ACTION_FOR_METHOD.get(self.request.method, "view")
        if action in ("change", "delete") and not type(obj).objects.restrict(self.request.user, action).filter(
                pk=obj.pk).exists():
            raise exceptions.PermissionDenied()
        return obj

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance = self.create_object(serializer.validated_data)

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.instance = self.update_object(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.delete_object(instance)

    # hooks: call the app's services
    def create_object(self, data):
        raise NotImplementedError

    def update_object(self, obj, data):
        raise NotImplementedError

    def delete_object(self, obj):
        raise NotImplementedError

    def destroy(self, request, *args, **kwargs):
        self.perform_destroy(self.get_object())
        return Response(status=204)


class ScopedTreeViewSet(ScopedModelViewSet):
    """A tree model's resource: `?code=`, parent codes without N+1, writes through a TreeRules service."""

    create_service = update_service = delete_service = None

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args:
            nodes = list(args[0])
            model = self.get_queryset().model
            paths = {n.path[: -model.steplen] for n in nodes if n.depth > 1}
            context = self.get_serializer_context()
            context["parent_codes"] = dict(model.objects.filter(path__in=paths).values_list("path", "code"))
            kwargs["context"] = context
            args = (nodes, *args[1:])
        return super().get_serializer(*args, **kwargs)

    def create_object(self, data):
        return type(self).create_service(acting_user=self.request.user, **data)

    def update_object(self, obj, data):
        from .services import UNSET

        data = dict(data)
        data.setdefault("parent", UNSET)
        return type(self).update_service(obj, acting_user=self.request.user, **data)

    def delete_object(self, obj):
        type(self).delete_service(obj, acting_user=self.request.user)
