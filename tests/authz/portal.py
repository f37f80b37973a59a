"""The applications and evidence pages of the member portal."""

from django.urls import reverse

from certification.models import ApplicationStatus
from tests import factories as f

from . import LOGIN, Row, statuses, users_of_a

# Only business_a's own users reach business_a's application in the portal;
# everyone else, staff included (they work in the admin), gets 404.
OWN_ONLY = statuses(404, anonymous=LOGIN, **users_of_a(200))
OWN_ONLY_POST = statuses(404, anonymous=LOGIN, **users_of_a(302))


def _application(w, status=ApplicationStatus.DRAFT):
    standard = f.PublishedStandardFactory(association=w.a)
    criterion = f.CriterionFactory(standard=standard)
    application = f.ApplicationFactory(business=w.business_a, standard=standard, status=status)
    return {"application": application, "criterion": criterion}


def _with_evidence(w):
    context = _application(w)
    context["evidence"] = f.EvidenceFactory(
        application=context["application"], criterion=context["criterion"]
    )
    return context


def _with_change_request(w):
    context = _application(w, status=ApplicationStatus.CHANGES_REQUESTED)
    context["change_request"] = f.ChangeRequestFactory(
        application=context["application"], criterion=context["criterion"]
    )
    return context


def _url(name, *keys):
    def build(w, c):
        return reverse(name, args=[c["application"].pk, *(c[key].pk for key in keys)])

    return build


ROWS = [
    Row(
        "applications:start",
        lambda w: reverse("applications:start"),
        statuses(404, anonymous=LOGIN, **users_of_a(200), business_user_b=200),
    ),
    Row("applications:detail", _url("applications:detail"), OWN_ONLY, setup=_application),
    Row("applications:submit", _url("applications:submit"), OWN_ONLY_POST, method="post", setup=_application),
    Row(
        "applications:resubmit",
        _url("applications:resubmit"),
        OWN_ONLY_POST,
        method="post",
        setup=_with_change_request,
    ),
    Row("applications:withdraw", _url("applications:withdraw"), OWN_ONLY, setup=_application),
    Row(
        "applications:answer",
        _url("applications:answer", "change_request"),
        OWN_ONLY_POST,
        method="post",
        data={"response": "Added the log."},
        setup=_with_change_request,
    ),
    Row("applications:upload", _url("applications:upload", "criterion"), OWN_ONLY, setup=_application),
    Row(
        "applications:remove_evidence",
        _url("applications:remove_evidence", "evidence"),
        OWN_ONLY_POST,
        method="post",
        setup=_with_evidence,
    ),
    Row(
        "certification:evidence_download",
        lambda w, c: reverse("certification:evidence_download", args=[c["evidence"].pk]),
        statuses(
            404, anonymous=LOGIN, **users_of_a(200), staff_admin_a=200, staff_viewer_a=200, superuser=200
        ),
        setup=_with_evidence,
    ),
]
