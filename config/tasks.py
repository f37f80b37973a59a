from celery import shared_task


@shared_task(name="config.tasks.ping", ignore_result=False, acks_late=False)
def ping() -> str:
    return "pong"
