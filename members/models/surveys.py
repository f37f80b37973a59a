"""The customer's voice: a SERVQUAL survey instrument per standard version,
the links a business hands its customers, and the responses they give.

Responses are read by staff only (`visible_to`): a business sees aggregates
of at least five (members/surveys/queries.py), never a single response."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Dimension, ProgrammeQuerySet, Standard, TenantQuerySet

from .people import Business, BusinessTenantQuerySet

LANGUAGES = ("en", "ur", "bn")


class SurveyFormat(models.TextChoices):
    TWO_COLUMN = "two_column", _("Two columns: expectation and perception")
    THREE_COLUMN = "three_column", _("Three columns: minimum, desired and perceived (zone of tolerance)")


class InstrumentQuerySet(ProgrammeQuerySet):
    association_path = "standard__association"
    status_path = "standard__status"


class Instrument(models.Model):
    """The survey of one standard version; frozen with it when it is published."""

    standard = models.OneToOneField(
        Standard, on_delete=models.CASCADE, related_name="survey", verbose_name=_("standard")
    )
    format = models.CharField(
        _("format"), max_length=12, choices=SurveyFormat.choices, default=SurveyFormat.TWO_COLUMN
    )
    importance_split = models.BooleanField(_("ask for a 100-point split of importance"), default=False)
    minimum_sample = models.PositiveSmallIntegerField(
        _("minimum sample"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(1000)],
        help_text=_("No score is shown from fewer responses (never fewer than 5)."),
    )
    ask_csat = models.BooleanField(_("ask overall satisfaction (CSAT, 1-5)"), default=True)
    ask_nps = models.BooleanField(_("ask likelihood to recommend (NPS, 0-10)"), default=True)
    ask_fcr = models.BooleanField(
        _("ask whether the issue was resolved on first contact (FCR)"), default=True
    )
    ask_comment = models.BooleanField(_("ask for a comment"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer survey")
        verbose_name_plural = _("customer surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=SurveyFormat.values), name="survey_instrument_format_valid"
            ),
            models.CheckConstraint(condition=Q(minimum_sample__gte=5), name="survey_minimum_sample_floor"),
        ]

    def __str__(self) -> str:
        return str(_("Customer survey of %(standard)s") % {"standard": self.standard})

    @property
    def association_id(self) -> int:
        return self.standard.association_id

    @property
    def is_editable(self) -> bool:
        return self.standard.is_editable

    @property
    def three_column(self) -> bool:
        return self.format == SurveyFormat.THREE_COLUMN


class SurveyItemQuerySet(ProgrammeQuerySet):
    association_path = "instrument__standard__association"
    status_path = "instrument__standard__status"


class SurveyItem(models.Model):
    """One statement of the battery. `text_*` is the perception statement
    ("This business ..."), `expectation_*` the expectation one ("An excellent
    business ..."), `feature_*` the short feature the three-column form rates."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    dimension = models.CharField(_("SERVQUAL dimension"), max_length=20, choices=Dimension.choices)
    text_en = models.TextField(_("statement (English)"))
    text_ur = models.TextField(_("statement (Urdu)"), blank=True)
    text_bn = models.TextField(_("statement (Bengali)"), blank=True)
    expectation_en = models.TextField(_("expectation (English)"), blank=True)
    expectation_ur = models.TextField(_("expectation (Urdu)"), blank=True)
    expectation_bn = models.TextField(_("expectation (Bengali)"), blank=True)
    feature_en = models.CharField(_("feature (English)"), max_length=200, blank=True)
    feature_ur = models.CharField(_("feature (Urdu)"), max_length=200, blank=True)
    feature_bn = models.CharField(_("feature (Bengali)"), max_length=200, blank=True)

    objects = SurveyItemQuerySet.as_manager()

    class Meta:
        ordering = ["instrument", "number"]
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="unique_survey_item_number"),
            models.CheckConstraint(
                condition=Q(dimension__in=Dimension.values), name="survey_item_dimension_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.number} {self.text_en[:60]}"

    @property
    def code(self) -> str:
        return f"Q{self.number}"

    def _in(self, field: str, language: str) -> str:
        """The text in `language`, English where that language was left blank."""
        language = language if language in LANGUAGES else "en"
        return getattr(self, f"{field}_{language}") or getattr(self, f"{field}_en")

    def text(self, language: str) -> str:
        return self._in("text", language)

    def expectation(self, language: str) -> str:
        return self._in("expectation", language)

    def feature(self, language: str) -> str:
        return self._in("feature", language)


class LinkKind(models.TextChoices):
    OPEN = "open", _("Open link (poster)")
    INVITATION = "invitation", _("Single-use invitation")


def new_token() -> str:
    # 96 random bits, 16 characters: short enough for an SMS or a receipt.
    return secrets.token_urlsafe(12)


class SurveyLinkQuerySet(BusinessTenantQuerySet):
    pass


class SurveyLink(models.Model):
    """A way into a business's survey in one association: its one open link
    (on the QR poster), or a single-use invitation token."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="survey_links")
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="survey_links")
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = SurveyLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "association"], condition=Q(kind="open"), name="one_open_survey_link"
            ),
            models.CheckConstraint(condition=Q(kind__in=LinkKind.values), name="survey_link_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="invitation") | Q(used_at__isnull=True), name="open_survey_link_never_used"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business} ({self.get_kind_display()})"


class SurveyResponseQuerySet(TenantQuerySet):
    """Staff of the association only: no business user reads a single response."""

    def counted(self):
        """The responses that count: not held for staff as part of a burst."""
        return self.filter(held=False)


class SurveyResponse(models.Model):
    """One customer's complete answers. No personal data beyond the optional
    comment: no account, address or contact is kept."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="survey_responses")
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="survey_responses")
    link = models.ForeignKey(SurveyLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    language = models.CharField(_("language"), max_length=8, default="en")
    importance = models.JSONField(_("importance split"), default=dict, blank=True)
    csat = models.PositiveSmallIntegerField(_("satisfaction (1-5)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("likelihood to recommend (0-10)"), null=True, blank=True)
    fcr = models.BooleanField(_("resolved on first contact"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The comment as the business may read it: e-mail addresses and phone
    # numbers masked when it was received (members/surveys/screening.py).
    comment_screened = models.TextField(_("comment as shown"), blank=True)
    comment_hidden = models.BooleanField(_("comment hidden by staff"), default=False)
    # A burst (members/surveys/collect.py): held out of every figure until staff release it.
    held = models.BooleanField(_("held for review"), default=False)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            # The burst check and the monthly KPIs: one business's responses by time.
            models.Index(
                fields=["business", "association", "submitted_at"], name="surveyresponse_business_time"
            ),
            models.Index(fields=["association", "submitted_at"], name="surveyresponse_assoc_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5), name="survey_csat_range"
            ),
            models.CheckConstraint(condition=Q(nps__isnull=True) | Q(nps__lte=10), name="survey_nps_range"),
        ]

    def __str__(self) -> str:
        return f"{self.business} {self.submitted_at:%Y-%m-%d %H:%M}"


class SurveyAnswer(models.Model):
    """A response's ratings of one item (1-7): perceived always; expected in
    the two-column form, minimum and desired in the three-column one."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.PROTECT, related_name="+")
    perceived = models.PositiveSmallIntegerField()
    expected = models.PositiveSmallIntegerField(null=True)
    minimum = models.PositiveSmallIntegerField(null=True)
    desired = models.PositiveSmallIntegerField(null=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="unique_survey_answer"),
            models.CheckConstraint(
                condition=Q(perceived__gte=1, perceived__lte=7), name="survey_perceived_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.perceived}"
