"""What the applications and certificates lists export (associations/exports.py)."""

from import_export import fields

from associations.exports import SafeResource

from .models import Application, Certificate


class ApplicationResource(SafeResource):
    business = fields.Field(attribute="business__name", column_name="business")
    standard = fields.Field(attribute="standard__name", column_name="standard")
    level = fields.Field(attribute="level__name", column_name="level")

    class Meta:
        model = Application
        fields = [
            "id",
            "business",
            "standard",
            "status",
            "submitted_at",
            "decided_at",
            "overall_score",
            "level",
            "decision_reason",
        ]
        export_order = fields


class CertificateResource(SafeResource):
    class Meta:
        model = Certificate
        fields = [
            "number",
            "holder_name",
            "holder_city",
            "association_name",
            "standard_name",
            "level_name",
            "overall_score",
            "status",
            "status_reason",
            "valid_from",
            "valid_until",
        ]
        export_order = fields
