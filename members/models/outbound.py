"""The email outbox: every email of the platform is a row here first."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """Every email of the platform, recorded in the transaction that decides
    it is due (rendered then, in the recipient's language) and sent once by
    a task after that commits. The key names the occasion; with the
    recipient it is unique, so recording the same occasion again records
    nothing. Sending claims the row with a conditional update that commits
    before the mail server is called; a failure releases the claim."""

    key = models.CharField(max_length=150)
    to = models.EmailField(max_length=254)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=500)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When a message to send it was last queued (the sweep waits before queueing again).
    queued_at = models.DateTimeField(null=True, blank=True)
    # Who is sending it right now (a lapsed claim was left by a dead worker).
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The mail server refused the recipient: sending again cannot help.
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        constraints = [
            models.UniqueConstraint(fields=["key", "to"], name="one_email_per_occasion_and_recipient"),
        ]
        indexes = [
            # The sweep's question, "what is not sent yet", stays small at any size.
            models.Index(
                fields=["queued_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbound_email_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to}"
