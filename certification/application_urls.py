"""The portal's application pages, /portal/applications/ (namespace
`applications`), mounted from config/urls.py."""

from django.urls import path

from . import portal_views as views

app_name = "applications"

urlpatterns = [
    path("new/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/changes/<int:change_request_pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/criteria/<int:criterion_pk>/evidence/", views.upload, name="upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/remove/", views.remove_evidence, name="remove_evidence"),
]
