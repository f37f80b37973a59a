"""The suspend, reinstate and revoke buttons on a certificate's admin page."""

import pytest
from django.urls import reverse

from certification.models import CertificateStatus
from tests import factories as f


@pytest.fixture
def certificate(two_associations):
    return f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.a, business=two_associations.business_a
        )
    )


def _page(certificate) -> str:
    return reverse("admin:certification_certificate_change", args=[certificate.pk])


def _button(name: str, certificate) -> str:
    return reverse(f"admin:certification_certificate_{name}_button", args=[certificate.pk])


def test_active_certificate_offers_suspend_and_revoke_and_no_save(certificate, client_for):
    page = client_for("staff_admin_a").get(_page(certificate)).content.decode()

    assert _button("suspend", certificate) in page
    assert _button("revoke", certificate) in page
    assert _button("reinstate", certificate) not in page
    assert 'name="_save"' not in page and 'name="_continue"' not in page


def test_suspend_needs_a_reason_then_suspends_and_reinstate_is_offered(certificate, client_for):
    client = client_for("staff_admin_a")

    again = client.post(_button("suspend", certificate), {"reason": ""})
    done = client.post(
        _button("suspend", certificate), {"reason": "Complaints under investigation"}, follow=True
    )

    assert again.status_code == 200 and "This field is required." in again.content.decode()
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == (
        CertificateStatus.SUSPENDED,
        "Complaints under investigation",
    )
    body = done.content.decode()
    assert "Certificate suspended." in body
    assert _button("reinstate", certificate) in body and _button("suspend", certificate) not in body


def test_reinstate_makes_a_suspended_certificate_active(certificate, client_for):
    certificate.status = CertificateStatus.SUSPENDED
    certificate.save()

    response = client_for("staff_admin_a").post(_button("reinstate", certificate), {"reason": "Resolved"})

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE


def test_revoke_button_reads_revoke_and_revokes(certificate, client_for):
    client = client_for("staff_admin_a")

    form_page = client.get(_button("revoke", certificate)).content.decode()
    client.post(_button("revoke", certificate), {"reason": "Forged evidence"})

    assert ">Revoke<" in form_page.replace("\n", "").replace(" ", "")
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == (CertificateStatus.REVOKED, "Forged evidence")


def test_a_refused_change_is_shown_at_the_top_of_the_page(certificate, client_for):
    client = client_for("staff_admin_a")
    url = _button("reinstate", certificate)  # opened, then the certificate is active: refused

    response = client.post(url, {"reason": "Resolved"})

    assert response.status_code == 200
    assert "This certificate is valid, so this cannot be done." in response.content.decode()


def test_viewer_sees_no_buttons_and_is_refused(certificate, client_for):
    client = client_for("staff_viewer_a")

    page = client.get(_page(certificate)).content.decode()
    response = client.post(_button("revoke", certificate), {"reason": "x"})

    assert "/revoke/" not in page
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE


def test_other_association_gets_404(certificate, client_for):
    response = client_for("staff_b").post(_button("revoke", certificate), {"reason": "x"})

    assert response.status_code == 404


def test_bulk_revoke_confirmation_button_reads_revoke(certificate, client_for):
    response = client_for("staff_admin_a").post(
        reverse("admin:certification_certificate_changelist"),
        {"action": "revoke", "_selected_action": [certificate.pk]},
    )

    body = response.content.decode().replace("\n", "").replace(" ", "")
    assert ">Revoke<" in body and ">revoked<" not in body
