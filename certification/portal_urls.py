"""The member portal, /portal/ (namespace `portal`): its dashboard, which
shows the applications and certificates, and the service-metrics pages of
members (members/metrics/urls.py). The application pages are application_urls.py."""

from django.urls import path

from members.metrics import urls as metrics_urls
from members.surveys import urls as survey_urls

from . import portal_views, seal_views
from .complaints import views as complaint_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.dashboard, name="dashboard"),
    path("b/<int:business_id>/seal/", seal_views.seal_domains, name="seal_domains"),
    path(
        "b/<int:business_id>/seal/<int:domain_id>/remove/",
        seal_views.seal_domain_remove,
        name="seal_domain_remove",
    ),
    path("b/<int:business_id>/complaints/", complaint_views.portal_complaints, name="complaints"),
    path("b/<int:business_id>/complaints/<int:pk>/", complaint_views.portal_complaint, name="complaint"),
    *metrics_urls.urlpatterns,
    *survey_urls.urlpatterns,
]
