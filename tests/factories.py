"""factory_boy factories with no surprising defaults: each makes exactly the
row named and what it cannot exist without."""

import datetime
import hashlib

import factory
from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from associations.models import (
    Association,
    CertificationLevel,
    CodeOfConduct,
    Criterion,
    Dimension,
    KpiDefinition,
    PublicationStatus,
    StaffMembership,
    StaffRole,
    Standard,
)
from audits.models import Assignment
from certification.models import Application, ApplicationStatus, ChangeRequest, Evidence
from members.models import (
    AuditorMembership,
    AuditorProfile,
    Business,
    BusinessRole,
    BusinessUser,
    Instrument,
    Membership,
    SurveyResponse,
    User,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        # allauth refuses an unverified address at login; test people are verified.
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)
            obj.save()


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Association {n}")
    slug = factory.Sequence(lambda n: f"association-{n}")
    country = "PK"
    certificate_prefix = factory.Sequence(lambda n: "A" + "".join(chr(65 + int(d)) for d in f"{n:03d}"))


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    association = factory.SubFactory(AssociationFactory)
    user = factory.SubFactory(UserFactory)
    role = StaffRole.ADMIN


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    association = factory.SubFactory(AssociationFactory)
    name = factory.Sequence(lambda n: f"Service standard {n}")
    version = 1
    status = PublicationStatus.DRAFT


class PublishedStandardFactory(StandardFactory):
    status = PublicationStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    standard = factory.SubFactory(StandardFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    text = factory.Sequence(lambda n: f"Criterion text {n}")
    dimension = Dimension.RELIABILITY
    order = factory.Sequence(lambda n: n)


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiDefinition

    association = factory.SubFactory(AssociationFactory)
    code = factory.Sequence(lambda n: f"kpi-{n}")
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "%"
    min_value = 0
    max_value = 100


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationLevel

    association = factory.SubFactory(AssociationFactory)
    name = factory.Sequence(lambda n: f"Level {n}")
    min_score = factory.Sequence(lambda n: 50 + n % 50)


class CodeOfConductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CodeOfConduct

    association = factory.SubFactory(AssociationFactory)
    version = factory.Sequence(lambda n: n + 1)
    title = "Code of conduct"
    body = "Treat customers fairly."


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"Business {n}")
    city = "Lahore"
    country = "PK"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    association = factory.SubFactory(AssociationFactory)
    business = factory.SubFactory(BusinessFactory)
    member_number = factory.Sequence(lambda n: f"M-{n:05d}")


def _first_association_of(business) -> Association:
    membership = business.memberships.order_by("pk").first()
    return membership.association if membership else AssociationFactory()


class BusinessUserFactory(factory.django.DjangoModelFactory):
    """An owner, granted by the association of the business's first
    membership (a new association when it has none): pass `association`
    for a business in several."""

    class Meta:
        model = BusinessUser

    business = factory.SubFactory(BusinessFactory)
    user = factory.SubFactory(UserFactory)
    association = factory.LazyAttribute(lambda o: _first_association_of(o.business))
    role = BusinessRole.OWNER


class AuditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)

    @factory.post_generation
    def associations(obj, create, extracted, **kwargs):
        # Active memberships of these associations.
        if create and extracted:
            for association in extracted:
                AuditorMembership.objects.create(auditor=obj, association=association)


# --- certificates ------------------------------------------------------------


class ApprovedApplicationFactory(factory.django.DjangoModelFactory):
    """An application already approved at a level (the review is another
    feature's business), ready for issuance."""

    class Meta:
        model = "certification.Application"

    business = factory.SubFactory(BusinessFactory)
    association = factory.SubFactory(AssociationFactory)
    standard = factory.SubFactory(
        PublishedStandardFactory, association=factory.SelfAttribute("..association")
    )
    level = factory.SubFactory(LevelFactory, association=factory.SelfAttribute("..association"))
    status = "approved"
    decided_at = factory.LazyFunction(timezone.now)
    # The audit's result, stored when it was scored: the certificate prints it.
    overall_score = "80.00"
    level_reached = factory.SelfAttribute("level")


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate row with its printed fields, without a PDF."""

    class Meta:
        model = "certification.Certificate"

    application = factory.SubFactory(ApprovedApplicationFactory)
    association = factory.SelfAttribute("application.association")
    business = factory.SelfAttribute("application.business")
    number = factory.Sequence(lambda n: f"TST-2026-{n:06d}")
    holder_name = factory.SelfAttribute("business.name")
    holder_city = factory.SelfAttribute("business.city")
    association_name = factory.SelfAttribute("association.name")
    standard_name = factory.SelfAttribute("application.standard.name")
    standard_version = 1
    level_name = factory.SelfAttribute("application.level.name")
    overall_score = "80.00"
    issued_at = factory.LazyFunction(timezone.now)
    valid_from = factory.LazyFunction(lambda: timezone.localdate())
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=730))
    status_index = factory.Sequence(lambda n: (n * 7919) % 131_072)


# Service metrics (members)


class MetricReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.MetricReport"

    business = factory.SubFactory(BusinessFactory)
    association = factory.SubFactory(AssociationFactory)
    period = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    source = "form"


class MetricValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.MetricValue"

    report = factory.SubFactory(MetricReportFactory)
    kpi = factory.SubFactory(KpiFactory, association=factory.SelfAttribute("..report.association"))
    value = 50


# --- certification: applications and evidence ------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft application of a business that is an active member."""

    class Meta:
        model = Application

    standard = factory.SubFactory(PublishedStandardFactory)
    association = factory.SelfAttribute("standard.association")
    business = factory.SubFactory(BusinessFactory)


class SubmittedApplicationFactory(ApplicationFactory):
    status = ApplicationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    application = factory.SubFactory(ApplicationFactory)
    criterion = factory.SubFactory(CriterionFactory, standard=factory.SelfAttribute("..application.standard"))
    file = factory.django.FileField(data=PDF_BYTES, filename="evidence.pdf")
    original_name = "evidence.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = hashlib.sha256(PDF_BYTES).hexdigest()


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeRequest

    application = factory.SubFactory(ApplicationFactory)
    criterion = factory.SubFactory(CriterionFactory, standard=factory.SelfAttribute("..application.standard"))
    message = "Add last quarter's complaint log."


# --- audits --------------------------------------------------------------------


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    application = factory.SubFactory(SubmittedApplicationFactory)
    auditor = factory.SubFactory(AuditorFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


# --- admin rows without a service-made factory above ---------------------------


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Invitation"

    association = factory.SubFactory(AssociationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    kind = "staff"
    role = StaffRole.VIEWER
    invited_by = factory.SubFactory(UserFactory)


class ConflictOfInterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.ConflictOfInterest"

    auditor = factory.SubFactory(AuditorFactory)
    business = factory.SubFactory(BusinessFactory)
    reason = "Related to the owner."


class ActionLogFactory(factory.django.DjangoModelFactory):
    """A history entry about an association."""

    class Meta:
        model = "associations.ActionLog"

    association = factory.SubFactory(AssociationFactory)
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(Association))
    object_id = factory.SelfAttribute("association.pk")
    action = "association.changed"
    actor = factory.SubFactory(UserFactory)


class MetricImportJobFactory(factory.django.DjangoModelFactory):
    """A CSV import of a business's metrics that failed (no file kept)."""

    class Meta:
        model = "members.MetricImportJob"

    business = factory.SubFactory(BusinessFactory)
    association = factory.SubFactory(AssociationFactory)
    file = "metric-imports/2026/01/missing.csv"
    original_name = "metrics.csv"
    status = "failed"


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument

    standard = factory.SubFactory(StandardFactory)


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """A response with no item answers (the scores' tests post real ones)."""

    class Meta:
        model = SurveyResponse

    instrument = factory.SubFactory(InstrumentFactory)
    association = factory.LazyAttribute(lambda o: o.instrument.standard.association)
    business = factory.LazyAttribute(lambda o: MembershipFactory(association=o.association).business)
    csat = 4
    nps = 9
    fcr = True


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A customer's complaint, confirmed and with the business."""

    class Meta:
        model = "certification.Complaint"

    association = factory.SubFactory(AssociationFactory)
    business = factory.SubFactory(BusinessFactory)
    status = "with_business"
    customer_name = factory.Faker("name")
    customer_email = factory.Sequence(lambda n: f"customer{n}@example.net")
    issue = "delay"
    happened_on = factory.LazyFunction(timezone.localdate)
    description = "The service was late."
    wanted = "refund"
    verified_at = factory.LazyFunction(timezone.now)
    forwarded_at = factory.LazyFunction(timezone.now)
