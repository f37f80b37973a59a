from django.urls import path

from . import public_views, seal, views

app_name = "certification"

urlpatterns = [
    path("verify/", public_views.verify, name="verify"),
    path("verify/<str:token>.json", public_views.verify_json, name="verify_json"),
    path("verify/<str:token>/", public_views.verify_detail, name="verify_detail"),
    path("status-lists/<slug:slug>/<str:purpose>/", public_views.status_list, name="status_list"),
    path("issuers/<slug:slug>/", public_views.issuer, name="issuer"),
    path("seal/<str:token>.svg", seal.seal_svg, name="seal"),
    path("directory/", public_views.directory, name="directory"),
    path("certificates/<int:pk>/download/", public_views.download, name="download"),
    path("certificates/<int:pk>/renew/", public_views.renew, name="renew"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence_download"),
]
