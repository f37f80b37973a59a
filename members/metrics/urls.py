"""The portal's service-metrics and API-token pages, under /portal/ in the
`portal` namespace (certification/portal_urls.py mounts them next to the
portal's dashboard)."""

from django.urls import path

from . import views

urlpatterns = [
    path("b/<int:business_id>/metrics/", views.metrics_dashboard, name="metrics"),
    path("b/<int:business_id>/metrics/reports/", views.metrics_reports, name="metrics_reports"),
    path(
        "b/<int:business_id>/metrics/reports/<int:report_id>/",
        views.metrics_report_detail,
        name="metrics_report",
    ),
    path("b/<int:business_id>/metrics/report/", views.metrics_report_form, name="metrics_report_form"),
    path("b/<int:business_id>/metrics/import/", views.metrics_import, name="metrics_import"),
    path(
        "b/<int:business_id>/metrics/import/template.csv",
        views.metrics_import_template,
        name="metrics_import_template",
    ),
    path(
        "b/<int:business_id>/metrics/import/<int:job_id>/",
        views.metrics_import_job,
        name="metrics_import_job",
    ),
    path(
        "b/<int:business_id>/metrics/import/<int:job_id>/status.json",
        views.metrics_import_status,
        name="metrics_import_status",
    ),
    path(
        "b/<int:business_id>/metrics/import/<int:job_id>/confirm/",
        views.metrics_import_confirm,
        name="metrics_import_confirm",
    ),
    path("b/<int:business_id>/api-tokens/", views.api_tokens, name="api_tokens"),
    path(
        "b/<int:business_id>/api-tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
]
