"""Email in the recipient's language, rendered from templates/emails/."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template
from django.utils import translation


def _render_text(name: str, context: dict) -> str:
    """Plain text: no HTML escaping (a business called "Ali & Sons" stays so)."""
    return get_template(name).template.render(Context(context, autoescape=False))


def send_templated_email(template: str, *, to: list[str], language: str, context: dict) -> None:
    with translation.override(language):
        subject = _render_text(f"emails/{template}_subject.txt", context).strip()
        body = _render_text(f"emails/{template}.txt", context)
    EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to).send()
