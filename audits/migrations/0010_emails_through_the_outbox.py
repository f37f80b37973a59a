# The auditor workflow's emails go through members.OutboundEmail now. What
# the old claims recorded is kept there as sent history, under the keys the
# new code uses, so nothing already sent is sent again: an assignment email
# (recipient known), and the decision and change-request emails (recorded
# per application only: the recipient is left empty).

from django.db import migrations


def to_outbox(apps, schema_editor):
    Assignment = apps.get_model("audits", "Assignment")
    EmailSent = apps.get_model("audits", "EmailSent")
    OutboundEmail = apps.get_model("members", "OutboundEmail")
    rows = [
        OutboundEmail(
            key=f"audit-assigned:{pk}",
            to=email,
            language=language,
            subject="",
            body="",
            queued_at=notified_at,
            sent_at=notified_at,
            attempts=1,
        )
        for pk, email, language, notified_at in Assignment.objects.filter(notified_at__isnull=False).values_list(
            "pk", "auditor__user__email", "auditor__user__language", "notified_at"
        )
    ]
    for application_id, kind, key, sent_at in EmailSent.objects.values_list("application_id", "kind", "key", "sent_at"):
        occasion = (
            f"decision:{application_id}:{key}:business"
            if kind == "decision"
            else f"changes-requested:{application_id}:{key}"
        )
        rows.append(
            OutboundEmail(
                key=occasion, to="", language="", subject="", body="", queued_at=sent_at, sent_at=sent_at, attempts=1
            )
        )
    OutboundEmail.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0009_place_conflicts'),
        ('members', '0007_outbox_and_import_claims'),
    ]

    operations = [
        migrations.RunPython(to_outbox, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='assignment',
            name='notified_at',
        ),
        migrations.DeleteModel(
            name='EmailSent',
        ),
    ]
