import re

from django.test import Client
from django.urls import reverse

from members.models import User


def test_signed_in_person_sees_their_preferred_language(two_associations, client):
    two_associations.business_user_a.language = "ur"
    two_associations.business_user_a.save()
    client.force_login(two_associations.business_user_a)

    body = client.get(reverse("portal:dashboard")).content.decode()

    assert '<html lang="ur" dir="rtl">' in body


def test_language_switcher_wins_over_the_preference_and_saves_it(two_associations, client):
    two_associations.business_user_a.language = "ur"
    two_associations.business_user_a.save()
    client.force_login(two_associations.business_user_a)

    response = client.post(reverse("set_language"), {"language": "bn", "next": reverse("portal:dashboard")})
    body = client.get(reverse("portal:dashboard")).content.decode()

    assert response.status_code == 302
    assert User.objects.get(pk=two_associations.business_user_a.pk).language == "bn"
    assert '<html lang="bn" dir="ltr">' in body


def test_anonymous_visitor_switches_language_without_an_account(client):
    response = client.post(reverse("set_language"), {"language": "ur", "next": "/"})
    body = client.get("/").content.decode()

    assert response.status_code == 302
    assert '<html lang="ur" dir="rtl">' in body


def test_unknown_language_changes_nothing(two_associations, client):
    client.force_login(two_associations.business_user_a)

    client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert User.objects.get(pk=two_associations.business_user_a.pk).language == "en"


def test_signed_in_persons_switch_needs_their_csrf_token(two_associations):
    person = Client(enforce_csrf_checks=True)
    person.force_login(two_associations.business_user_a)

    forged = person.post(reverse("set_language"), {"language": "bn", "next": "/"})
    page = person.get(reverse("portal:dashboard")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    switched = person.post(
        reverse("set_language"), {"language": "bn", "next": "/", "csrfmiddlewaretoken": token}
    )

    assert forged.status_code == 403
    assert switched.status_code == 302
    assert User.objects.get(pk=two_associations.business_user_a.pk).language == "bn"


def test_anonymous_switcher_needs_no_token_and_only_sets_their_cookie(client):
    visitor = Client(enforce_csrf_checks=True)

    response = visitor.post(reverse("set_language"), {"language": "bn", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "bn"
