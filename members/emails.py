"""Every email of the platform goes through `queue_email`: rendered from
templates/emails/ in the recipient's language, recorded in the caller's
transaction, and sent once after it commits (tasks.send_emails, which
members.outbox's deliver_emails does the work of)."""

from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from .models import OutboundEmail
from .tasks import send_emails


def _render_text(name: str, context: dict) -> str:
    """Plain text: no HTML escaping (a business called "Ali & Sons" stays so)."""
    return get_template(name).template.render(Context(context, autoescape=False))


def render_email(template: str, *, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language):
        subject = " ".join(_render_text(f"emails/{template}_subject.txt", context).split())
        body = _render_text(f"emails/{template}.txt", context)
    return subject, body


def queue_email(key: str, *, to: str, language: str, template: str, context: dict) -> OutboundEmail | None:
    """Record one email to `to` for the occasion `key` (e.g.
    "decision:42:approved"), and queue its sending once the caller's
    transaction commits. Recording the same occasion for the same recipient
    again records nothing and returns None: callers need no claim of their
    own. If the broker is down the row waits for the sweep."""
    subject, body = render_email(template, language=language, context=context)
    return record_email(key, to=to, language=language, subject=subject, body=body)


def record_email(key: str, *, to: str, language: str, subject: str, body: str) -> OutboundEmail | None:
    """queue_email for an email rendered already (allauth renders its own)."""
    email, created = OutboundEmail.objects.get_or_create(
        key=key,
        to=to,
        defaults={
            "language": language,
            "subject": subject[:500],
            "body": body,
            "queued_at": timezone.now(),
        },
    )
    if not created:
        return None
    send_emails.delay_on_commit(email_ids=[email.pk])
    return email
