from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import schema, views  # noqa: F401  (schema registers the auth scheme)

app_name = "api"

urlpatterns = [
    path("kpis/", views.KpiListView.as_view(), name="kpis"),
    path("metric-reports/", views.MetricReportListView.as_view(), name="metric_reports"),
    path("metric-reports/<int:pk>/", views.MetricReportDetailView.as_view(), name="metric_report"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
