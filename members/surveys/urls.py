"""The portal's customer-voice pages, under /portal/ in the `portal`
namespace (certification/portal_urls.py mounts them). The public survey
itself is config/urls.py's `survey`."""

from django.urls import path

from . import views

urlpatterns = [
    path("b/<int:business_id>/voice/", views.voice, name="voice"),
    path("b/<int:business_id>/voice/invitations.csv", views.invitations, name="voice_invitations"),
    path("b/<int:business_id>/voice/poster.pdf", views.poster, name="voice_poster"),
]
