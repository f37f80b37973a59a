"""The member portal, /portal/ (namespace `portal`): its dashboard, which
shows the applications and certificates, and the service-metrics pages of
members (members/metrics/urls.py). The application pages are application_urls.py."""

from django.urls import path

from members.metrics import urls as metrics_urls
from members.surveys import urls as survey_urls

from . import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.dashboard, name="dashboard"),
    *metrics_urls.urlpatterns,
    *survey_urls.urlpatterns,
]
