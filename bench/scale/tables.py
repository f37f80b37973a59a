"""Every model the seeder writes, and the one writer of their rows."""

import itertools
from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace


def models() -> SimpleNamespace:
    """Every model the seeder writes, in one place."""
    from allauth.account.models import EmailAddress
    from django.contrib.contenttypes.models import ContentType

    from associations import models as associations
    from audits import models as audits
    from certification import models as certification
    from members import models as members

    return SimpleNamespace(
        ContentType=ContentType,
        EmailAddress=EmailAddress,
        Association=associations.Association,
        StaffMembership=associations.StaffMembership,
        CodeOfConduct=associations.CodeOfConduct,
        Standard=associations.Standard,
        Criterion=associations.Criterion,
        KpiDefinition=associations.KpiDefinition,
        CertificationLevel=associations.CertificationLevel,
        ActionLog=associations.ActionLog,
        User=members.User,
        Business=members.Business,
        BusinessUser=members.BusinessUser,
        Membership=members.Membership,
        MetricReport=members.MetricReport,
        MetricValue=members.MetricValue,
        Application=certification.Application,
        Evidence=certification.Evidence,
        ChangeRequest=certification.ChangeRequest,
        Certificate=certification.Certificate,
        CertificateSequence=certification.CertificateSequence,
        ReminderSent=certification.ReminderSent,
        AuditorProfile=members.AuditorProfile,
        AuditorMembership=members.AuditorMembership,
        Assignment=audits.Assignment,
        ConflictOfInterest=members.ConflictOfInterest,
        Scorecard=audits.Scorecard,
        Score=audits.Score,
    )


class Writer:
    """Inserts plain rows ({attname: value}) into a model's table, filling
    what a row leaves out the way Django would (the field's default, now for
    auto_now fields, else NULL or ""). PostgreSQL gets one COPY per table."""

    def __init__(self, connection, batch_size: int = 2_000):
        self.connection = connection
        self.batch_size = batch_size
        self.now = None
        self.counts: dict[str, int] = defaultdict(int)

    def _columns(self, model):
        from django.db.models import JSONField

        columns = []
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                default = lambda: self.now  # noqa: E731
            else:
                default = field.get_default
            columns.append((field, field.attname, default, isinstance(field, JSONField)))
        return columns

    def insert(self, model, rows: Iterable[dict]) -> int:
        columns = self._columns(model)
        table = self.connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(self.connection.ops.quote_name(f.column) for f, *_ in columns)
        values = (tuple(row[a] if a in row else d() for _f, a, d, _j in columns) for row in rows)
        if self.connection.vendor == "postgresql":
            count = self._copy(table, names, columns, values)
        else:
            count = self._insert(table, names, columns, values)
        self.counts[model._meta.label] += count
        return count

    def _copy(self, table, names, columns, values) -> int:
        from psycopg.types.json import Jsonb

        json_at = [i for i, (_f, _a, _d, is_json) in enumerate(columns) if is_json]
        count = 0
        with (
            self.connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in values:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = Jsonb(row[i])
                copy.write_row(row)
                count += 1
        return count

    def _insert(self, table, names, columns, values) -> int:
        fields = [f for f, *_ in columns]
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
        count = 0
        with self.connection.cursor() as cursor:
            while batch := list(itertools.islice(values, self.batch_size)):
                prepared = [
                    [f.get_db_prep_save(v, self.connection) for f, v in zip(fields, row, strict=True)]
                    for row in batch
                ]
                cursor.executemany(sql, prepared)
                count += len(batch)
        return count

    def reset_sequences(self, model_list) -> None:
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for statement in self.connection.ops.sequence_reset_sql(no_style(), model_list):
                cursor.execute(statement)


class Ids:
    """The primary keys the seeder hands out, per table, from 1."""

    def __init__(self):
        self._next: dict[str, itertools.count] = defaultdict(lambda: itertools.count(1))

    def __call__(self, name: str) -> int:
        return next(self._next[name])
