"""Portal pages for service metrics and API tokens. Every URL carries the
business; a business the user does not work for answers 404."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations.models import Association, KpiDefinition

from ..api.auth import create_api_token, revoke_api_token
from ..errors import MembersError
from ..models import ApiToken, Business, BusinessRole, MetricImportJob, MetricReport
from ..roles import business_scope, business_user_required
from .csv_import import confirm_metric_import, start_metric_import
from .csv_parsing import template_csv
from .forms import ApiTokenForm, MetricImportForm, MetricReportForm
from .queries import MIN_PEERS, kpi_panels
from .reports import record_metric_report
from .values import MetricsError, ValueProblem, month_start


def _business(request, business_id: int) -> tuple[Business, list[Association]]:
    """The business and the associations the user's roles in it reach; 404
    when the user does not work for it."""
    business = get_object_or_404(Business.objects.of_business_user(request.user), pk=business_id)
    return business, list(business_scope(request.user, business.pk))


def _member_of(business, scope) -> QuerySet[Association]:
    """The associations the business belongs to that the user's roles reach."""
    return Association.objects.filter(memberships__business=business, pk__in=[a.pk for a in scope]).order_by(
        "name"
    )


def _association(
    request, business, scope, param: str = "association"
) -> tuple[Association, list[Association]]:
    """The association asked for (default: the first), among those the
    business belongs to and the user's roles reach; another answers 404."""
    associations = list(_member_of(business, scope))
    if not associations:
        raise PermissionDenied(_("The business is not a member of any association yet."))
    wanted = request.GET.get(param) or request.POST.get(param)
    if not wanted:
        return associations[0], associations
    chosen = next((a for a in associations if str(a.pk) == wanted), None)
    if chosen is None:
        raise Http404
    return chosen, associations


@business_user_required
def metrics_dashboard(request, business_id: int):
    business, scope = _business(request, business_id)
    association, associations = _association(request, business, scope)
    panels = kpi_panels(business, association)
    return render(
        request,
        "members/metrics/dashboard.html",
        {
            "business": business,
            "association": association,
            "associations": associations,
            "panels": panels,
            "charts": [p.chart_data() for p in panels],
            "min_peers": MIN_PEERS,
        },
    )


@business_user_required
def metrics_reports(request, business_id: int):
    business, scope = _business(request, business_id)
    reports = (
        MetricReport.objects.filter(business=business, association__in=scope)
        .select_related("association", "submitted_by")
        .order_by("-period", "association__name")
    )
    imports = MetricImportJob.objects.filter(business=business, association__in=scope).select_related(
        "association"
    )[:10]
    return render(
        request,
        "members/metrics/reports.html",
        {"business": business, "reports": reports, "imports": imports},
    )


@business_user_required
def metrics_report_detail(request, business_id: int, report_id: int):
    business, scope = _business(request, business_id)
    report = get_object_or_404(
        MetricReport.objects.filter(business=business, association__in=scope).select_related("association"),
        pk=report_id,
    )
    values = report.values.select_related("kpi").order_by("kpi__order", "kpi__code")
    return render(
        request,
        "members/metrics/report_detail.html",
        {"business": business, "report": report, "values": values},
    )


@business_user_required
def metrics_report_form(request, business_id: int):
    business, scope = _business(request, business_id)
    association, associations = _association(request, business, scope)
    kpis = KpiDefinition.objects.filter(association=association)
    form = MetricReportForm(request.POST or None, kpis=kpis, initial=_initial(business, association, request))
    if request.method == "POST" and form.is_valid():
        try:
            report = record_metric_report(
                business,
                association=association,
                period=form.cleaned_data["month"],
                values=form.cleaned_data["values"],
                actor=request.user,
                source="form",
                replace=form.cleaned_data["replace"],
            )
        except MetricsError as error:
            form.add_error(None, error.message)
            for reason in error.errors:
                form.add_error(None, reason)
        else:
            messages.success(
                request, _("The metrics for %(month)s are saved.") % {"month": f"{report.period:%Y-%m}"}
            )
            return redirect("portal:metrics_report", business_id=business.pk, report_id=report.pk)
    return render(
        request,
        "members/metrics/report_form.html",
        {
            "business": business,
            "association": association,
            "associations": associations,
            "form": form,
        },
    )


def _initial(business, association, request) -> dict:
    """The month asked for (default: last month), with its values when reported."""
    try:
        period = month_start(request.GET.get("month") or _last_month())
    except ValueProblem:
        period = _last_month()
    initial = {"month": period}
    report = MetricReport.objects.filter(business=business, association=association, period=period).first()
    if report:
        initial["replace"] = True
        for value in report.values.select_related("kpi"):
            initial[f"value_{value.kpi.code}"] = value.value
            initial[f"sample_{value.kpi.code}"] = value.sample_size
    return initial


def _last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@business_user_required
def metrics_import(request, business_id: int):
    business, scope = _business(request, business_id)
    associations = _member_of(business, scope)
    form = MetricImportForm(request.POST or None, request.FILES or None, associations=associations)
    if request.method == "POST" and form.is_valid():
        try:
            job = start_metric_import(
                business,
                association=form.cleaned_data["association"],
                upload=form.cleaned_data["file"],
                actor=request.user,
            )
        except MetricsError as error:
            form.add_error("file", error.message)
        else:
            return redirect("portal:metrics_import_job", business_id=business.pk, job_id=job.pk)
    return render(request, "members/metrics/import.html", {"business": business, "form": form})


@business_user_required
def metrics_import_template(request, business_id: int):
    business, scope = _business(request, business_id)
    association, _associations = _association(request, business, scope)
    body = template_csv(list(KpiDefinition.objects.filter(association=association)), _last_month())
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="metrics-{association.slug}.csv"'
    return response


def _job(request, business_id: int, job_id: int) -> MetricImportJob:
    business, scope = _business(request, business_id)
    return get_object_or_404(
        MetricImportJob.objects.filter(business=business, association__in=scope).select_related(
            "association", "business"
        ),
        pk=job_id,
    )


@business_user_required
def metrics_import_job(request, business_id: int, job_id: int):
    job = _job(request, business_id, job_id)
    return render(request, "members/metrics/import_job.html", {"business": job.business, "job": job})


@business_user_required
def metrics_import_status(request, business_id: int, job_id: int):
    job = _job(request, business_id, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "finished": job.is_finished,
            "total_rows": job.total_rows,
            "processed_rows": job.processed_rows,
            "percent": job.percent,
            "error_count": job.error_count,
        }
    )


@require_POST
@business_user_required
def metrics_import_confirm(request, business_id: int, job_id: int):
    job = _job(request, business_id, job_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick the box to confirm that the months should be replaced."))
        return redirect("portal:metrics_import_job", business_id=job.business_id, job_id=job.pk)
    try:
        confirm_metric_import(job, actor=request.user)
    except MetricsError as error:
        messages.error(request, error.message)
    return redirect("portal:metrics_import_job", business_id=job.business_id, job_id=job.pk)


def _owner(request, business_id: int) -> Business:
    business, _scope = _business(request, business_id)
    if not business_scope(request.user, business.pk, roles=[BusinessRole.OWNER]).exists():
        raise PermissionDenied(_("Only an owner of the business manages API tokens."))
    return business


@business_user_required
def api_tokens(request, business_id: int):
    business = _owner(request, business_id)
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = create_api_token(business, name=form.cleaned_data["name"], actor=request.user)
        except MembersError as error:
            form.add_error("name", str(error))
        else:
            form = ApiTokenForm()
    tokens = (
        ApiToken.objects.managed_by(request.user, business)
        .select_related("created_by")
        .prefetch_related("associations")
    )
    response = render(
        request,
        "members/metrics/api_tokens.html",
        {"business": business, "form": form, "tokens": tokens, "secret": secret},
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@business_user_required
def api_token_revoke(request, business_id: int, token_id: int):
    business = _owner(request, business_id)
    token = get_object_or_404(ApiToken.objects.managed_by(request.user, business), pk=token_id)
    try:
        revoke_api_token(token, actor=request.user)
    except MembersError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("portal:api_tokens", business_id=business.pk)
