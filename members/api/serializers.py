from collections import Counter

from django.utils.translation import gettext as _
from rest_framework import serializers

from associations.models import KpiDefinition

from ..models import MetricReport, MetricValue


class KpiDefinitionSerializer(serializers.ModelSerializer):
    association = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = KpiDefinition
        fields = [
            "association",
            "code",
            "name",
            "unit",
            "higher_is_better",
            "min_value",
            "max_value",
            "has_sample_size",
        ]


class MetricValueSerializer(serializers.ModelSerializer):
    """A value as read back, with its source: reported by the business, or
    computed from customer responses (sample_size: how many) or complaints."""

    kpi = serializers.CharField(source="kpi.code")

    class Meta:
        model = MetricValue
        fields = ["kpi", "value", "sample_size", "source"]
        read_only_fields = ["source"]


class MetricReportSerializer(serializers.ModelSerializer):
    association = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    month = serializers.DateField(source="period", format="%Y-%m")
    values = MetricValueSerializer(many=True)

    class Meta:
        model = MetricReport
        fields = ["id", "association", "month", "source", "created_at", "updated_at", "values"]


# One report is one month of one association's KPIs, each at most once: no
# association defines anywhere near this many KPIs, and the cap bounds the
# work one request can ask for.
MAX_VALUES_PER_REPORT = 1000


class MetricValueListSerializer(serializers.ListSerializer):
    def to_internal_value(self, data):
        # Counted before any entry is validated.
        if isinstance(data, list) and len(data) > MAX_VALUES_PER_REPORT:
            raise serializers.ValidationError(
                _("Send at most %(max)d values in one report (got %(count)d).")
                % {"max": MAX_VALUES_PER_REPORT, "count": len(data)}
            )
        return super().to_internal_value(data)


class MetricValueInputSerializer(serializers.Serializer):
    kpi = serializers.CharField(max_length=40, help_text="The KPI code, see /api/v1/kpis/.")
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    sample_size = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    class Meta:
        list_serializer_class = MetricValueListSerializer


class MetricReportInputSerializer(serializers.Serializer):
    association = serializers.SlugField(help_text="The association's slug.")
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="The month reported, YYYY-MM.")
    values = MetricValueInputSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_VALUES_PER_REPORT,
        help_text=f"The month's values, each KPI at most once; at most {MAX_VALUES_PER_REPORT} per request.",
    )
    replace = serializers.BooleanField(
        default=False, help_text="Replace the month's values if the month is already reported."
    )

    def validate_values(self, values):
        counts = Counter(v["kpi"] for v in values)
        duplicates = sorted(code for code, n in counts.items() if n > 1)
        if duplicates:
            raise serializers.ValidationError(
                _("KPI given more than once: %(codes)s") % {"codes": ", ".join(duplicates)}
            )
        return values
