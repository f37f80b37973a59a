"""The demo's findings: Margalla Internet's application, audited with
findings at each stage of the corrective-action loop (open, answered,
returned, accepted, closed, and an observation noted), granted with
conditions. Through the services a person would use; runs only when the
application is missing, so seeding twice changes nothing."""

import datetime

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from associations.models import Association, Criterion, Standard
from audits import findings
from audits import services as audits
from audits.findings import NewFinding
from audits.models import Finding, FindingGrade
from certification import services as certification
from certification.models import Application
from members.models import AuditorProfile, Business, BusinessRole, BusinessUser, User

from .demo_activity import DEMO_PDF

# What the auditor raised: (criterion order, grade, statement, requirement not met)
RAISED = [
    (
        0,
        FindingGrade.MAJOR,
        "Complaints are not logged; no record of the last quarter's complaints exists.",
        "Complaints are recorded with date, customer and outcome.",
    ),
    (
        1,
        FindingGrade.MINOR,
        "Service hours are not published on the website.",
        "Service hours are published.",
    ),
    (2, FindingGrade.MINOR, "Staff training records are incomplete for two agents.", "Training is recorded."),
    (3, FindingGrade.MINOR, "Escalation contacts are out of date.", "Escalation contacts are current."),
    (
        4,
        FindingGrade.MINOR,
        "The customer charter is not on display at the counter.",
        "The charter is displayed.",
    ),
    (5, FindingGrade.OBSERVATION, "Call-back times could be tracked per agent.", ""),
]


def _answer(finding: Finding, owner, text: str) -> None:
    findings.answer_finding(
        finding,
        actor=owner,
        root_cause=f"{text}: no one owned it.",
        correction="Fixed on the day of the audit.",
        corrective_action="The service manager checks it monthly.",
        due_date=timezone.localdate() + datetime.timedelta(days=20),
        files=[SimpleUploadedFile("corrective-action.pdf", DEMO_PDF, "application/pdf")],
    )


def seed_findings(association: Association) -> None:
    business = Business.objects.get(
        memberships__association=association, memberships__member_number="PSA-0004"
    )
    standard = Standard.objects.get(association=association, name="Customer Service Excellence", version=1)
    if Application.objects.filter(business=business, standard=standard).exists():
        return
    admin = User.objects.get(email="admin@psa.example.org")
    auditor = AuditorProfile.objects.get(user__email="auditor@psa.example.org")
    owner, _created = User.objects.get_or_create(
        email="owner@margalla-internet.example.org",
        defaults={"name": "Ayesha Raza", "password": make_password(None)},
    )
    BusinessUser.objects.get_or_create(
        business=business, user=owner, association=association, defaults={"role": BusinessRole.OWNER}
    )
    application = certification.create_application(business, standard=standard, actor=owner)
    criteria = list(Criterion.objects.filter(standard=standard).order_by("order", "code"))
    for criterion in criteria:
        if criterion.evidence_required:
            certification.attach_evidence(
                application,
                criterion=criterion,
                file=SimpleUploadedFile(f"{criterion.code.lower()}.pdf", DEMO_PDF, "application/pdf"),
                actor=owner,
            )
    certification.submit_application(application, actor=owner)
    assignment = audits.assign_auditor(
        application, auditor=auditor, due_date=timezone.localdate() + datetime.timedelta(days=14), actor=admin
    )
    audits.declare_no_conflict(assignment, actor=auditor.user)
    audits.save_scores(
        assignment,
        actor=auditor.user,
        entries={c.pk: (4, "Evidence reviewed on site.") for c in criteria},
        submit=True,
        no_major_reasons={c.pk: "Scored above the threshold." for c in criteria if c.critical},
        new_findings=[
            NewFinding(criterion_id=criteria[i].pk, grade=grade, statement=statement, requirement=requirement)
            for i, grade, statement, requirement in RAISED
        ],
    )
    major, minor_closed, minor_returned, minor_answered, _minor_open, _observation = Finding.objects.filter(
        application=application
    ).order_by("pk")
    _answer(major, owner, "Complaints log")
    findings.accept_answer(major, actor=auditor.user)
    _answer(minor_returned, owner, "Training records")
    findings.return_answer(minor_returned, actor=auditor.user, reason="Attach the signed attendance sheets.")
    _answer(minor_answered, owner, "Escalation contacts")
    application.refresh_from_db()
    audits.approve(
        application,
        actor=admin,
        level=application.level_reached,
        reason="Granted with conditions: the open minors have plans due.",
        with_conditions=True,
    )
    _answer(minor_closed, owner, "Service hours")
    findings.accept_answer(minor_closed, actor=auditor.user)
    findings.verify_effectiveness(minor_closed, actor=auditor.user)
