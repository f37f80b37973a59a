"""The admin index is the association's dashboard: work queues counted for
the staff's own association, each linking to its filtered list, and charts;
a constant number of queries however many rows."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification.models import ApplicationStatus, Certificate, CertificateStatus
from tests import factories as f

INDEX = reverse("admin:index")


def _queue_counts(body: str) -> dict[str, str]:
    counts = {}
    for chunk in body.split('data-testid="queue-')[1:]:
        name = chunk.split('"', 1)[0]
        counts[name] = chunk.split('data-testid="count">', 1)[1].split("<", 1)[0].strip()
    return counts


def _work(w, association, business, *, n: int = 1):
    """n rows in every queue of `association`."""
    today = timezone.localdate()
    for _i in range(n):
        f.SubmittedApplicationFactory(
            business=business, standard=f.PublishedStandardFactory(association=association)
        )
        overdue = f.AssignmentFactory(
            application=f.SubmittedApplicationFactory(
                business=business, standard=f.PublishedStandardFactory(association=association)
            ),
            due_date=today - datetime.timedelta(days=3),
        )
        assert overdue.application.association == association
        f.ApprovedApplicationFactory(
            association=association, business=business, status=ApplicationStatus.SCORED, decided_at=None
        )
        stale = f.ChangeRequestFactory(
            application=f.ApplicationFactory(
                business=business,
                standard=f.PublishedStandardFactory(association=association),
                status=ApplicationStatus.CHANGES_REQUESTED,
            )
        )
        type(stale).objects.filter(pk=stale.pk).update(
            requested_at=timezone.now() - datetime.timedelta(days=20)
        )
        f.AssignmentFactory(application=stale.application)  # its auditor asked
        f.CertificateFactory(
            application=f.ApprovedApplicationFactory(association=association, business=business),
            valid_until=today + datetime.timedelta(days=30),
        )
        f.CertificateFactory(
            application=f.ApprovedApplicationFactory(association=association, business=business),
            status=CertificateStatus.SUSPENDED,
        )
        f.MetricImportJobFactory(association=association, business=business)
        f.InvitationFactory(association=association)


def test_dashboard_counts_each_queue_of_the_staffs_association_only(two_associations, client_for):
    _work(two_associations, two_associations.a, two_associations.business_a, n=2)
    _work(two_associations, two_associations.b, two_associations.business_b, n=1)

    body = client_for("staff_admin_a").get(INDEX).content.decode()

    assert _queue_counts(body) == {
        "waiting_for_auditor": "2",
        "audits_overdue": "2",
        "awaiting_decision": "2",
        "changes_unanswered": "2",
        "expiring": "2",
        "under_watch": "2",
        "failed_imports": "2",
        "pending": "2",
    }


def test_a_queue_links_to_its_filtered_list(two_associations, client_for):
    _work(two_associations, two_associations.a, two_associations.business_a)
    soon = Certificate.objects.get(valid_until__lt=timezone.localdate() + datetime.timedelta(days=90))
    client = client_for("staff_viewer_a")

    body = client.get(INDEX).content.decode()
    url = body.split('" data-testid="queue-expiring"', 1)[0].rsplit('href="', 1)[1]
    listed = client.get(url.replace("&amp;", "&"))

    assert url == reverse("admin:certification_certificate_changelist") + "?queue=expiring"
    assert listed.status_code == 200
    assert [c.pk for c in listed.context["cl"].result_list] == [soon.pk]


def test_dashboard_shows_the_three_charts(two_associations, client_for):
    _work(two_associations, two_associations.a, two_associations.business_a)

    body = client_for("staff_viewer_a").get(INDEX).content.decode()

    assert body.count('<canvas class="chart"') == 3
    assert "Median days from submission to decision" in body


def _index_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INDEX)
    assert response.status_code == 200
    return len(queries)


def test_dashboard_query_count_is_constant_and_within_budget(two_associations, client_for):
    client = client_for("staff_admin_a")
    _work(two_associations, two_associations.a, two_associations.business_a, n=1)
    one = _index_queries(client)

    _work(two_associations, two_associations.a, two_associations.business_a, n=6)
    many = _index_queries(client)

    assert one == many
    assert many <= 15
