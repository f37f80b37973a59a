"""What the businesses and metric values lists export (associations/exports.py)."""

from import_export import fields

from associations.exports import SafeResource

from .models import Business, MetricValue


class BusinessResource(SafeResource):
    class Meta:
        model = Business
        fields = ["id", "name", "legal_name", "city", "country", "website"]
        export_order = fields


class MetricValueResource(SafeResource):
    business = fields.Field(attribute="report__business__name", column_name="business")
    period = fields.Field(attribute="report__period", column_name="period")
    kpi = fields.Field(attribute="kpi__code", column_name="kpi")
    kpi_name = fields.Field(attribute="kpi__name", column_name="kpi_name")
    unit = fields.Field(attribute="kpi__unit", column_name="unit")

    class Meta:
        model = MetricValue
        fields = ["business", "period", "kpi", "kpi_name", "unit", "value", "sample_size"]
        export_order = fields
