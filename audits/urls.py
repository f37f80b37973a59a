from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("assignments/<int:pk>/", views.assignment, name="assignment"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/score/", views.score, name="score"),
    path("applications/<int:pk>/changes/", views.request_changes, name="request_changes"),
    path("applications/<int:pk>/consensus/<int:criterion_pk>/", views.consensus, name="consensus"),
    path("applications/<int:pk>/carried/<int:evidence_pk>/", views.carried_evidence, name="carried_evidence"),
    path("applications/<int:pk>/result/", views.result, name="result"),
    path("applications/<int:pk>/findings/", views.findings_page, name="findings"),
    path("applications/<int:pk>/report.pdf", views.report, name="report"),
    path(
        "applications/<int:pk>/findings/<int:finding_pk>/review/", views.finding_review, name="finding_review"
    ),
    path("applications/<int:pk>/findings/<int:finding_pk>/merge/", views.finding_merge, name="finding_merge"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
