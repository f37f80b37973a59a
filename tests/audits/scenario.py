"""Builds an application under audit on top of the `two_associations` fixture (used by
the audits tests and the authorization matrix)."""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from associations.models import CertificationLevel, Dimension
from audits import services
from tests import factories as f


def build(
    two_associations, *, criteria: int = 5, declared: bool = True, max_score: int = 5, business=None
) -> SimpleNamespace:
    """A published standard of `criteria` criteria across the five dimensions,
    three levels, a submitted application of business_a, and two_associations.auditor
    assigned (and cleared when `declared`)."""
    standard = f.PublishedStandardFactory(association=two_associations.a)
    dimensions = Dimension.values
    items = [
        f.CriterionFactory(
            standard=standard,
            dimension=dimensions[i % 5],
            max_score=max_score,
            order=i,
            evidence_required=(i == 0),
        )
        for i in range(criteria)
    ]
    levels = [
        CertificationLevel.objects.get_or_create(
            association=two_associations.a, name=name, defaults={"min_score": score}
        )[0]
        for name, score in (("Bronze", 50), ("Silver", 70), ("Gold", 85))
    ]
    business = business or two_associations.business_a
    application = f.SubmittedApplicationFactory(business=business, standard=standard)
    evidence = f.EvidenceFactory(application=application, criterion=items[0])
    assignment = f.AssignmentFactory(
        application=application, auditor=two_associations.auditor.auditor_profile
    )
    if declared:
        assignment = services.declare_no_conflict(assignment, actor=two_associations.auditor)
        application.refresh_from_db()
    return SimpleNamespace(
        standard=standard,
        criteria=items,
        levels=levels,
        application=application,
        assignment=assignment,
        evidence=evidence,
    )


def full_scores(criteria, value: int, comment: str = "Seen the evidence.") -> dict:
    return {c.pk: (value, comment) for c in criteria}


def second_auditor(two_associations, application):
    """Another cleared auditor of association a on the same application."""
    profile = f.AuditorFactory(associations=[two_associations.a])
    assignment = f.AssignmentFactory(application=application, auditor=profile)
    return services.declare_no_conflict(assignment, actor=profile.user)


def carry_evidence(two_associations, s, *, criterion=None):
    """Evidence of the business's previous, approved cycle carried forward
    into the scenario's application for `criterion` (the second one)."""
    criterion = criterion or s.criteria[1]
    previous = f.ApprovedApplicationFactory(
        association=two_associations.a,
        business=s.application.business,
        standard=s.standard,
        level=s.levels[0],
    )
    original = f.EvidenceFactory(application=previous, criterion=criterion, original_name="policy.pdf")
    return f.EvidenceFactory(
        application=s.application,
        criterion=criterion,
        file=original.file.name,
        original_name="policy.pdf",
        effective_to=timezone.localdate() + timedelta(days=200),
        carried_from=original,
    )
