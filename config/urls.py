from django.contrib import admin
from django.urls import include, path

from members import views as member_views
from members.surveys import public_views as survey_views

from . import health

urlpatterns = [
    # First: the public verification pages are the most requested.
    path("", include("certification.urls")),
    path("", member_views.home, name="home"),
    path("choose/", member_views.choose_role, name="choose_role"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/setlang/", member_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    # The customer survey: a business's open link or single-use invitation token.
    path("s/<str:token>/", survey_views.survey, name="survey"),
    path("s/<str:token>/thanks/", survey_views.thanks, name="survey_thanks"),
    path("invitations/<str:signed>/", member_views.accept_invitation, name="accept_invitation"),
    path("complaints/", include("certification.complaints.urls")),
    path("portal/applications/", include("certification.application_urls")),
    path("portal/findings/", include("audits.portal_urls")),
    path("portal/", include("certification.portal_urls")),
    path("api/v1/", include("members.api.urls")),
    path("audit/", include("audits.urls")),
    path("admin/", admin.site.urls),
]
