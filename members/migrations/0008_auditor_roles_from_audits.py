"""The auditor role tables, now members' (issue 9): the models move here
from audits without touching the database (audits/0011 renamed the tables).
Their content types move with them, so the history recorded about them
(associations.ActionLog) and any permission granted on them stay theirs."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ("auditorprofile", "auditormembership", "conflictofinterest")


def move_content_types(apps, schema_editor, *, source="audits", target="members"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="members", target="audits")


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0002_initial"),
        ("audits", "0011_auditor_role_tables_renamed"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0007_outbox_and_import_claims"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditorProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('expertise', models.TextField(blank=True, verbose_name='expertise')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='auditor_profile', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'auditor',
                        'verbose_name_plural': 'auditors',
                    },
                ),
                migrations.CreateModel(
                    name='AuditorMembership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='since')),
                        ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='ended')),
                        ('association', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='auditor_memberships', to='associations.association', verbose_name='audits for')),
                        ('ended_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('auditor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='members.auditorprofile')),
                    ],
                    options={
                        'verbose_name': 'auditor membership',
                        'verbose_name_plural': 'auditor memberships',
                        'constraints': [models.UniqueConstraint(fields=('auditor', 'association'), name='one_auditor_membership')],
                    },
                ),
                migrations.CreateModel(
                    name='ConflictOfInterest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('declared_at', models.DateTimeField(auto_now_add=True)),
                        ('association', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='associations.association', verbose_name='recorded by')),
                        ('auditor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conflicts', to='members.auditorprofile')),
                        ('business', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='auditor_conflicts', to='members.business')),
                    ],
                    options={
                        'verbose_name': 'conflict of interest',
                        'verbose_name_plural': 'conflicts of interest',
                        'constraints': [models.UniqueConstraint(fields=('auditor', 'business', 'association'), name='unique_conflict_per_association')],
                    },
                ),
    
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
