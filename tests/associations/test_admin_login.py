from django.urls import reverse


def test_signed_in_person_without_admin_access_is_refused_not_looped(two_associations, client_for):
    client = client_for("business_user_a")

    response = client.get(reverse("admin:login") + "?next=/admin/")

    assert response.status_code == 403


def test_anonymous_visitor_is_sent_to_the_allauth_login(two_associations, client_for):
    client = client_for("anonymous")

    response = client.get(reverse("admin:login") + "?next=/admin/")

    assert response.url == reverse("account_login") + "?next=%2Fadmin%2F"
