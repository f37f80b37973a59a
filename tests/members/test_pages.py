"""The error pages and the public links of the top bar and start page."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.views import defaults

from tests import factories as f


def test_error_page_404_shows_the_message(db, rf):
    request = rf.get("/gone/")
    request.user = f.UserFactory()

    response = defaults.page_not_found(request, Http404("This certificate was withdrawn."))

    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-404"' in page
    assert "<p>This certificate was withdrawn.</p>" in page


def test_error_page_404_without_message_shows_no_class_name(two_associations, client_for):
    response = client_for("auditor").get(reverse("portal:dashboard"))

    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-404"' in page
    assert "Http404" not in page
    assert 'href="/verify/"' in page


def test_error_page_403_shows_the_message(db, rf):
    request = rf.get("/admin/")
    request.user = f.UserFactory()

    response = defaults.permission_denied(request, PermissionDenied("Viewers only look."))

    page = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="error-403"' in page
    assert "<p>Viewers only look.</p>" in page


def test_error_page_500_needs_no_context_or_database(db, rf, django_assert_num_queries):
    request = rf.get("/")

    with django_assert_num_queries(0):
        response = defaults.server_error(request)

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_home_links_to_verify_and_directory(db, client):
    page = client.get(reverse("home")).content.decode()

    verify, directory = reverse("certification:verify"), reverse("certification:directory")
    # Once in the top bar, once on the start page.
    assert (page.count(f'href="{verify}"'), page.count(f'href="{directory}"')) == (2, 2)
