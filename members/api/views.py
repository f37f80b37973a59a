"""The REST API (/api/v1/) for other systems: a business token pushes and
reads its service metrics through the same service as the portal."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from associations.models import Association, KpiDefinition

from ..metrics.reports import record_metric_reports
from ..metrics.values import MetricsError, clean_reports, kpis_by_code
from ..models import MetricReport, MetricValue
from .auth import HasBusinessToken
from .parsers import SafeBodyMixin
from .serializers import (
    MAX_VALUES_PER_REPORT,
    KpiDefinitionSerializer,
    MetricReportInputSerializer,
    MetricReportSerializer,
)

ASSOCIATION_PARAM = OpenApiParameter("association", str, description="Only this association (its slug).")


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


def _reports_of(token):
    return (
        MetricReport.objects.filter(business=token.business_id, association_id__in=token.reach_ids)
        .select_related("association")
        .prefetch_related(Prefetch("values", queryset=MetricValue.objects.select_related("kpi")))
        .order_by("-period", "association_id")
    )


@extend_schema(parameters=[ASSOCIATION_PARAM])
class KpiListView(generics.ListAPIView):
    """The KPI definitions of the associations the business belongs to and
    the token reaches."""

    permission_classes = [HasBusinessToken]
    serializer_class = KpiDefinitionSerializer
    pagination_class = None

    def get_queryset(self):
        kpis = KpiDefinition.objects.filter(
            association__memberships__business=self.request.auth.business_id,
            association_id__in=self.request.auth.reach_ids,
        ).select_related("association")
        if slug := self.request.query_params.get("association"):
            kpis = kpis.filter(association__slug=slug)
        return kpis.order_by("association__slug", "order", "code")


class MetricReportListView(SafeBodyMixin, APIView):
    permission_classes = [HasBusinessToken]
    pagination_class = Pagination

    @extend_schema(parameters=[ASSOCIATION_PARAM], responses=MetricReportSerializer(many=True))
    def get(self, request):
        """The business's metric reports, newest month first."""
        reports = _reports_of(request.auth)
        if slug := request.query_params.get("association"):
            reports = reports.filter(association__slug=slug)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(reports, request, view=self)
        return paginator.get_paginated_response(MetricReportSerializer(page, many=True).data)

    @extend_schema(
        request=MetricReportInputSerializer,
        responses={
            201: MetricReportSerializer,
            400: OpenApiResponse(
                description="A value is not valid (`errors` lists each reason), more than "
                f"{MAX_VALUES_PER_REPORT} values, or JSON that cannot be read."
            ),
            403: OpenApiResponse(description="The token does not reach this association."),
            409: OpenApiResponse(description="The month is already reported; send `replace: true`."),
            413: OpenApiResponse(description="The request body is larger than the server accepts."),
        },
    )
    def post(self, request):
        """Report one month's values. A month already reported is replaced
        only with `replace: true`."""
        data = MetricReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = request.auth
        association = Association.objects.filter(
            slug=data.validated_data["association"], memberships__business=token.business_id
        ).first()
        if association is None:
            return Response({"detail": _("The business is not a member of this association.")}, status=400)
        if association.pk not in token.reach_ids:
            refusal = _("This token may not report for %(association)s.") % {"association": association.slug}
            return Response({"detail": refusal}, status=status.HTTP_403_FORBIDDEN)
        values = {v["kpi"]: (v["value"], v.get("sample_size")) for v in data.validated_data["values"]}
        try:
            result = record_metric_reports(
                token.business,
                association=association,
                reports=clean_reports({data.validated_data["month"]: values}, kpis_by_code(association)),
                actor=request.user,
                source="api",
                replace=data.validated_data["replace"],
            )
        except MetricsError as error:
            code = status.HTTP_409_CONFLICT if error.existing else status.HTTP_400_BAD_REQUEST
            return Response(
                {"detail": error.message, "errors": error.errors, "existing": error.existing}, status=code
            )
        report = _reports_of(token).get(pk=result.reports[0].pk)
        return Response(MetricReportSerializer(report).data, status=status.HTTP_201_CREATED)


class MetricReportDetailView(APIView):
    permission_classes = [HasBusinessToken]

    @extend_schema(responses=MetricReportSerializer)
    def get(self, request, pk: int):
        """One metric report of the business (404 for any other's)."""
        report = get_object_or_404(_reports_of(request.auth), pk=pk)
        return Response(MetricReportSerializer(report).data)
