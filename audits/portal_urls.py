"""The business's findings, /portal/findings/ (namespace `portal_findings`),
mounted from config/urls.py."""

from django.urls import path

from . import portal_views

app_name = "portal_findings"

urlpatterns = [
    path("applications/<int:pk>/", portal_views.finding_list, name="list"),
    path("<int:pk>/", portal_views.finding_detail, name="detail"),
]
