from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
]
