"""A business user's role is granted by one association and reaches the
business's affairs in that association only (issue 8, item 2).

Every existing role keeps what it reached: it becomes one row per
association the business belongs to today (or has reported metrics to, or
was invited to the role by). API tokens reach the associations their maker
holds a role in."""

# Data only: PostgreSQL refuses the schema changes Django defers to the end
# of a migration (indexes, constraints) once rows were written in it.

from django.db import migrations


def _associations_of(apps, business_user):
    Membership = apps.get_model("members", "Membership")
    MetricReport = apps.get_model("members", "MetricReport")
    Invitation = apps.get_model("members", "Invitation")
    found = set(Membership.objects.filter(business_id=business_user.business_id).values_list("association_id", flat=True))
    found |= set(
        MetricReport.objects.filter(business_id=business_user.business_id).values_list("association_id", flat=True)
    )
    found |= set(
        Invitation.objects.filter(
            business_id=business_user.business_id, accepted_by_id=business_user.user_id
        ).values_list("association_id", flat=True)
    )
    return sorted(found)


def grant_every_association(apps, schema_editor):
    BusinessUser = apps.get_model("members", "BusinessUser")
    ApiToken = apps.get_model("members", "ApiToken")
    for row in BusinessUser.objects.filter(association__isnull=True).order_by("pk"):
        associations = _associations_of(apps, row)
        if not associations:
            # A role in a business that belongs to no association reaches no
            # application, certificate or metric: there is nothing to keep.
            row.delete()
            continue
        first, *others = associations
        BusinessUser.objects.filter(pk=row.pk).update(association_id=first)
        BusinessUser.objects.bulk_create(
            BusinessUser(business_id=row.business_id, user_id=row.user_id, role=row.role, association_id=other)
            for other in others
        )
    for token in ApiToken.objects.all():
        reach = BusinessUser.objects.filter(business_id=token.business_id, user_id=token.created_by_id)
        token.associations.set(sorted(set(reach.values_list("association_id", flat=True))))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_business_roles_per_association"),
    ]

    operations = [
        migrations.RunPython(grant_every_association, migrations.RunPython.noop),
    ]
