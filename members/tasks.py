import logging

from celery import shared_task

from .emails import send_templated_email
from .models import Invitation

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(*, invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("association", "business")
        .filter(pk=invitation_id, accepted_at=None)
        .first()
    )
    if invitation is None:
        logger.info("invitation %s gone or used; nothing to send", invitation_id)
        return
    from .services import invitation_link

    send_templated_email(
        "invitation",
        to=[invitation.email],
        language=invitation.association.default_language,
        context={"invitation": invitation, "link": invitation_link(invitation)},
    )


@shared_task(acks_late=True, ignore_result=True, time_limit=1800, soft_time_limit=1700)
def process_metric_import(*, job_id: int) -> None:
    """Safe to run twice: only a queued job is claimed, and the import is
    one transaction."""
    from .metrics_import import process_import_job

    if process_import_job(job_id) is None:
        logger.info("metric import %s gone or already claimed; nothing to do", job_id)
