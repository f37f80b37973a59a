"""The member portal, /portal/ (namespace `portal`): its dashboard, which
shows the applications and certificates, and the service-metrics pages of
members (members/urls.py). The application pages are application_urls.py."""

from django.urls import path

from members import urls as members_urls

from . import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.dashboard, name="dashboard"),
    *members_urls.urlpatterns,
]
