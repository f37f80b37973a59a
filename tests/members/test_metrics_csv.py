import datetime
import gc
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members.metrics.csv_import import confirm_metric_import, start_metric_import
from members.metrics.csv_parsing import parse_metric_csv
from members.metrics.values import CleanValue, MetricsError
from members.models import ImportStatus, MetricImportJob, MetricReport, MetricValue
from members.tasks import process_metric_import
from tests import factories as f
from tests.s3 import stored_names

# Once on local disk, once on S3 (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("file_storage")

HEADER = "month,kpi_code,value,sample_size\n"


@pytest.fixture
def member_with_kpis(db):
    association = f.AssociationFactory()
    business = f.BusinessFactory()
    f.MembershipFactory(association=association, business=business)
    user = f.BusinessUserFactory(business=business).user
    kpis = {
        "csat": f.KpiFactory(association=association, code="csat", has_sample_size=True),
        "fcr": f.KpiFactory(association=association, code="fcr"),
    }
    return association, business, user, kpis


def _import(member_with_kpis, text: str | bytes, name: str = "metrics.csv"):
    association, business, user, _kpis = member_with_kpis
    data = text.encode() if isinstance(text, str) else text
    return start_metric_import(
        business, association=association, upload=SimpleUploadedFile(name, data), actor=user
    )


def test_parse_metric_csv_reads_good_rows(member_with_kpis):
    *_, kpis = member_with_kpis

    parsed = parse_metric_csv((HEADER + "2026-01,csat,87.5,120\n2026-01,fcr,70,\n").encode(), kpis)

    assert parsed.errors == []
    assert parsed.reports == {
        datetime.date(2026, 1, 1): [
            CleanValue(kpis["csat"].pk, Decimal("87.5"), 120),
            CleanValue(kpis["fcr"].pk, Decimal(70), None),
        ]
    }


def test_parse_metric_csv_accepts_a_bom_and_crlf(member_with_kpis):
    *_, kpis = member_with_kpis

    data = ("\ufeff" + HEADER + "2026-01,fcr,70,\n").replace("\n", "\r\n").encode()

    parsed = parse_metric_csv(data, kpis)

    assert parsed.errors == []
    assert parsed.reports == {datetime.date(2026, 1, 1): [CleanValue(kpis["fcr"].pk, Decimal(70), None)]}


def test_parse_metric_csv_accepts_semicolons_and_decimal_commas(member_with_kpis):
    *_, kpis = member_with_kpis

    parsed = parse_metric_csv(b"month;kpi_code;value;sample_size\n2026-02;csat;87,5;40\n", kpis)

    assert parsed.errors == []
    assert parsed.reports == {datetime.date(2026, 2, 1): [CleanValue(kpis["csat"].pk, Decimal("87.5"), 40)]}


def test_parse_metric_csv_without_sample_size_column(member_with_kpis):
    *_, kpis = member_with_kpis

    parsed = parse_metric_csv(b"kpi_code,month,value\nfcr,2026-02,12\n", kpis)

    assert parsed.errors == []
    assert parsed.reports == {datetime.date(2026, 2, 1): [CleanValue(kpis["fcr"].pk, Decimal(12), None)]}


@pytest.mark.parametrize(
    "header",
    ["month,kpi,value,sample_size", "month,kpi_code,value,value", "date,kpi_code,value", ""],
)
def test_parse_metric_csv_refuses_a_bad_header(member_with_kpis, header):
    *_, kpis = member_with_kpis

    parsed = parse_metric_csv(f"{header}\n2026-01,fcr,70,\n".encode(), kpis)

    assert [e["line"] for e in parsed.errors] == [1]
    assert parsed.errors[0]["reason"].startswith("The header must be month,kpi_code,value,sample_size")
    assert parsed.reports == {}


def test_parse_metric_csv_lists_every_bad_row_with_line_and_reason(member_with_kpis):
    *_, kpis = member_with_kpis
    body = (
        HEADER
        + "2026-01,fcr,70,\n"  # line 2: good
        + "January,fcr,70,\n"  # 3: bad month
        + "2026-02,fcr,seventy,\n"  # 4: not a number
        + "2026-02,csat,80,many\n"  # 5: sample not a number
        + "2026-02,csat,180,10\n"  # 6: out of range
        + "2026-02,nps,10,\n"  # 7: unknown kpi
        + "2026-01,fcr,71,\n"  # 8: duplicate of line 2
        + "2026-03,fcr\n"  # 9: too few columns
        + "\n"  # 10: blank, skipped
        + "2999-01,fcr,1,\n"  # 11: future
    )

    parsed = parse_metric_csv(body.encode(), kpis)

    assert parsed.errors == [
        {"line": 3, "reason": "“January” is not a month; write it as YYYY-MM, e.g. 2026-03."},
        {"line": 4, "reason": "fcr: “seventy” is not a number."},
        {"line": 5, "reason": "csat: the sample size “many” is not a whole number."},
        {"line": 6, "reason": "csat: 180 is outside the valid range 0 to 100 %."},
        {"line": 7, "reason": "Unknown KPI code “nps”."},
        {"line": 8, "reason": "2026-01 fcr is already given on line 2."},
        {"line": 9, "reason": "Expected 4 columns, found 2."},
        {"line": 11, "reason": "2999-01: a month in the future cannot be reported."},
    ]


def test_parse_metric_csv_refuses_a_file_that_is_not_utf8(member_with_kpis):
    *_, kpis = member_with_kpis

    parsed = parse_metric_csv(HEADER.encode() + "2026-01,fcr,70,é\n".encode("latin-1"), kpis)

    assert parsed.errors == [{"line": 1, "reason": "The file is not UTF-8 text. Save it as CSV UTF-8."}]


def test_start_metric_import_imports_nothing_when_one_row_is_bad(member_with_kpis):
    job = _import(member_with_kpis, HEADER + "2026-01,fcr,70,\n2026-02,fcr,170,\n")

    assert job.status == ImportStatus.INVALID
    assert job.errors == [{"line": 3, "reason": "fcr: 170 is outside the valid range 0 to 100 %."}]
    assert MetricReport.objects.count() == 0


def test_start_metric_import_imports_a_small_file_at_once(member_with_kpis):
    job = _import(member_with_kpis, HEADER + "2026-01,fcr,70,\n2026-01,csat,90,12\n2026-02,fcr,72,\n")

    assert (job.status, job.imported_reports, job.imported_values) == (ImportStatus.DONE, 2, 3)
    assert sorted(MetricValue.objects.values_list("report__period", "kpi__code", "value")) == [
        (datetime.date(2026, 1, 1), "csat", Decimal("90.00")),
        (datetime.date(2026, 1, 1), "fcr", Decimal("70.00")),
        (datetime.date(2026, 2, 1), "fcr", Decimal("72.00")),
    ]
    assert job.file.name.endswith(".csv") and "metrics" not in job.file.name
    assert job.original_name == "metrics.csv"


def test_start_metric_import_replaces_months_only_after_confirmation(member_with_kpis):
    _import(member_with_kpis, HEADER + "2026-01,fcr,70,\n2026-01,csat,90,12\n")
    job = _import(member_with_kpis, HEADER + "2026-01,fcr,75,\n2026-02,fcr,76,\n")
    assert (job.status, job.existing_months) == (ImportStatus.NEEDS_CONFIRMATION, ["2026-01"])
    assert MetricValue.objects.filter(report__period="2026-02-01").count() == 0

    job = confirm_metric_import(job, actor=job.created_by)

    assert (job.status, job.replace) == (ImportStatus.DONE, True)
    assert sorted(MetricValue.objects.values_list("report__period", "kpi__code", "value")) == [
        (datetime.date(2026, 1, 1), "fcr", Decimal("75.00")),
        (datetime.date(2026, 2, 1), "fcr", Decimal("76.00")),
    ]


def test_confirm_metric_import_refuses_a_job_not_waiting(member_with_kpis):
    job = _import(member_with_kpis, HEADER + "2026-01,fcr,70,\n")

    with pytest.raises(MetricsError, match="not waiting"):
        confirm_metric_import(job, actor=job.created_by)


def _big_file(rows: int, kpis: list[str]) -> bytes:
    lines = [HEADER]
    start = 1100 * 12  # months counted from year 1100, all in the past
    for i in range(rows):
        month = start + i // len(kpis)
        kpi = kpis[i % len(kpis)]
        sample = "30" if kpi == "csat" else ""
        lines.append(f"{month // 12:04d}-{month % 12 + 1:02d},{kpi},{i % 100}.5,{sample}\n")
    return "".join(lines).encode()


def test_start_metric_import_sends_50000_rows_to_a_task(
    member_with_kpis, django_capture_on_commit_callbacks, settings
):
    settings.METRIC_IMPORT_SYNC_MAX_ROWS = 2000
    association = member_with_kpis[0]
    extra = [f.KpiFactory(association=association, code=f"k{i}").code for i in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        job = _import(member_with_kpis, _big_file(50_000, ["csat", "fcr", *extra]))

    job.refresh_from_db()
    assert job.errors == []
    assert (job.status, job.total_rows, job.processed_rows) == (ImportStatus.DONE, 50_000, 50_000)
    assert (job.imported_reports, job.imported_values) == (10_000, 50_000)
    assert MetricValue.objects.count() == 50_000


def test_process_metric_import_is_safe_to_run_twice(member_with_kpis, settings):
    settings.METRIC_IMPORT_SYNC_MAX_ROWS = 1
    job = _import(member_with_kpis, HEADER + "2026-01,fcr,70,\n2026-02,fcr,71,\n")
    assert job.status == ImportStatus.QUEUED

    process_metric_import(job_id=job.pk)
    process_metric_import(job_id=job.pk)

    assert MetricImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
    assert MetricValue.objects.count() == 2


def test_start_metric_import_refuses_an_oversized_file(member_with_kpis, settings):
    settings.METRIC_IMPORT_MAX_BYTES = 10

    with pytest.raises(MetricsError, match="larger than"):
        _import(member_with_kpis, HEADER + "2026-01,fcr,70,\n")

    assert MetricImportJob.objects.count() == 0


NUL_REFUSAL = (
    "Line 3 contains a NUL character, which a CSV file cannot hold. "
    "Save the file again as CSV UTF-8 and upload it."
)


def test_start_metric_import_refuses_a_nul_byte_and_stores_nothing(member_with_kpis, settings):
    with pytest.raises(MetricsError) as refused:
        _import(member_with_kpis, HEADER + "2026-01,fcr,70,\n2026-01,csat,8\x007,10\n")

    assert refused.value.message == NUL_REFUSAL
    assert MetricImportJob.objects.count() == 0
    assert stored_names("metric-imports") == []


def test_parse_metric_csv_refuses_a_nul_byte_by_line(member_with_kpis):
    *_, kpis = member_with_kpis

    parsed = parse_metric_csv((HEADER + "2026-01,fcr,70,\n2026-01,cs\x00at,87,10\n").encode(), kpis)

    assert parsed.errors == [{"line": 3, "reason": NUL_REFUSAL}]
    assert parsed.reports == {}


def test_parse_metric_csv_lists_the_first_200_bad_lines_and_counts_the_rest(member_with_kpis):
    *_, kpis = member_with_kpis
    body = HEADER + "2026-01,fcr,70,\n" + "2026-01,nope,1,\n" * 1000

    parsed = parse_metric_csv(body.encode(), kpis)

    assert len(parsed.errors) == 200
    assert (parsed.errors[0]["line"], parsed.errors[-1]["line"]) == (3, 202)
    assert parsed.more_errors == 800


def test_start_metric_import_stores_200_errors_and_the_count_of_the_rest(member_with_kpis):
    job = _import(member_with_kpis, HEADER + "2026-01,nope,1,\n" * 1000)

    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert (len(job.errors), job.more_errors, job.error_count) == (200, 800, 1000)


def test_start_metric_import_deletes_the_file_of_a_refused_import(member_with_kpis, settings):
    job = _import(member_with_kpis, HEADER + "2026-01,fcr,170,\n")

    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert job.file.name == ""
    assert stored_names("metric-imports") == []


def test_start_metric_import_keeps_no_control_characters_of_the_name(member_with_kpis):
    job = _import(member_with_kpis, HEADER + "2026-01,fcr,70,\n", name="march\x00\x1b[31m.csv")

    assert job.original_name == "march[31m.csv"


def test_an_import_leaves_the_garbage_collector_on_whatever_its_outcome(member_with_kpis):
    # The cyclic collector is paused while an import runs (import_jobs).
    done = _import(member_with_kpis, HEADER + "2026-01,fcr,70,\n")
    invalid = _import(member_with_kpis, HEADER + "2026-02,fcr,170,\n")

    assert (done.status, invalid.status) == (ImportStatus.DONE, ImportStatus.INVALID)
    assert gc.isenabled()
