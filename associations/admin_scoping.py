"""Tenant scoping for the Django admin. Staff of an association see, create
and change only that association's rows; viewers only look; superusers see
all. Every staff ModelAdmin in the project derives from ScopedAdmin."""

import functools
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage
from django.forms import ModelChoiceField, Select
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from unfold.admin import ModelAdmin, TabularInline, checkbox
from unfold.forms import PaginationInlineFormSet
from unfold.sites import UnfoldAdminSite
from unfold.widgets import UnfoldAdminImageFieldWidget, UnfoldAdminSelectWidget

from .models import EDITING_ROLES, Association, StaffMembership, StaffRole


class AdminAccess:
    """What the requesting user administers, read in one query per request.
    The sidebar, every permission check and every scoping filter of an admin
    page ask these ids (a page asks dozens of times) instead of the database,
    and scoped querysets become a plain `association_id IN (ids)`."""

    def __init__(self, user):
        self.is_superuser = user.is_superuser
        roles = {}
        if user.is_authenticated and not user.is_superuser:
            roles = dict(StaffMembership.objects.filter(user=user).values_list("association_id", "role"))
        self.association_ids = sorted(roles)
        self.editable_ids = sorted(pk for pk, role in roles.items() if role in EDITING_ROLES)
        self.admin_ids = sorted(pk for pk, role in roles.items() if role == StaffRole.ADMIN)
        self._associations_of = {}

    def associations_of(self, obj, association_ids_of) -> set[int]:
        """`association_ids_of(obj)`, asked once per object and function."""
        key = (obj._meta.label, obj.pk, association_ids_of.__func__)
        if key not in self._associations_of:
            self._associations_of[key] = set(association_ids_of(obj))
        return self._associations_of[key]


def access(request) -> AdminAccess:
    """The request's AdminAccess, made on first use. Per request, never
    longer: a role granted or taken away counts from the next request."""
    if getattr(request, "_admin_access", None) is None:
        request._admin_access = AdminAccess(request.user)
    return request._admin_access


class StaffAdminSite(UnfoldAdminSite):
    """Admin entry comes from a StaffMembership row, not from is_staff."""

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or bool(access(request).association_ids))

    def login(self, request, extra_context=None):
        """Everyone logs in through allauth (and its second factor); Django's
        own admin login would skip both and refuses accounts without is_staff.
        A signed-in person without admin access is refused, not sent round
        in a loop between the two login pages."""
        if request.user.is_authenticated:
            raise PermissionDenied
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")

    def search(self, request, extra_context=None):
        """unfold's search, which pages with `int(request.GET["page"])` and
        answers 500 to `?page=abc`: a page that is not a positive whole number
        shows the first page, and one past the last is a 404."""
        page = request.GET.get("page")
        if page is not None and not (page.isdigit() and int(page) > 0):
            request.GET = request.GET.copy()
            request.GET["page"] = "1"
        try:
            return super().search(request, extra_context)
        except InvalidPage:
            raise Http404(_("There is no such page of results.")) from None


def run_service_on(request, queryset, service, done_message, *, refused, **kwargs) -> None:
    """An admin action's work: `service(obj, actor=request.user, **kwargs)`
    for each selected row, one message per row; a row the service refuses
    (raises `refused`) is reported and the others go on."""
    for obj in queryset:
        try:
            service(obj, actor=request.user, **kwargs)
        except refused as error:
            messages.error(request, f"{obj}: {error}")
        else:
            messages.success(request, f"{obj}: {done_message}")


def editable_associations(request):
    if request.user.is_superuser:
        return Association.objects.all()
    return Association.objects.filter(pk__in=access(request).editable_ids)


def scope(queryset, request):
    """The rows of `queryset` the request's user administers."""
    if request.user.is_superuser:
        return queryset
    return queryset.of_associations(access(request).association_ids)


class ScopingMixin:
    """Shared by model admins and inlines: limits choices and permissions.
    (Inlines need no row scoping: their parent object is already scoped.)"""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Association:
            kwargs["queryset"] = editable_associations(request)
        elif hasattr(related.objects, "of_associations") and "queryset" not in kwargs:
            kwargs["queryset"] = scope(related.objects.all(), request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Association:
            kwargs["queryset"] = editable_associations(request)
        elif hasattr(related.objects, "of_associations") and "queryset" not in kwargs:
            kwargs["queryset"] = scope(related.objects.all(), request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def association_ids_of(self, obj):
        """The ids of the associations `obj` belongs to (an iterable of ids);
        staff edit it when they edit one of them."""
        return [obj.association_id]

    def _can_edit(self, request, obj=None) -> bool:
        staff = access(request)
        if staff.is_superuser:
            return True
        if obj is None:
            return bool(staff.editable_ids)
        return not staff.associations_of(obj, self.association_ids_of).isdisjoint(staff.editable_ids)

    def has_module_permission(self, request) -> bool:
        return admin.site.has_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return admin.site.has_permission(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._can_edit(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._can_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._can_edit(request, obj)


def headers_once_per_list(result_headers):
    """Wraps unfold's `result_headers(cl)`, which its `items_for_result`
    calls for every row to label the cells: the headers (sorting links, the
    select-all checkbox) are the same for the whole list, so they are built
    once per list (installed by AssociationsConfig.ready)."""

    @functools.wraps(result_headers)
    def once(cl):
        if getattr(cl, "_built_headers", None) is None:
            cl._built_headers = list(result_headers(cl))
        return cl._built_headers

    return once


@functools.lru_cache(maxsize=16)
def _row_checkbox(language: str) -> str:
    return checkbox.render(helpers.ACTION_CHECKBOX_NAME, "__pk__")


class AssociationFilter(admin.SimpleListFilter):
    """By association, offering only the user's own: no DISTINCT over the
    whole table to find which associations have rows."""

    title = gettext_lazy("association")
    parameter_name = "association"

    def lookups(self, request, model_admin):
        if request.user.is_superuser:
            associations = Association.objects.all()
        else:
            associations = Association.objects.filter(pk__in=access(request).association_ids)
        return [(str(a.pk), a.name) for a in associations]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(association_id=int(self.value()))
        return queryset


def computed_once(method):
    """A read-only field of a change page that runs queries: the page asks
    for a field's contents more than once, so it is computed once per
    object and request (the object is fetched afresh for each request)."""

    @functools.wraps(method)
    def cached(self, obj):
        done = obj.__dict__.setdefault("_admin_computed", {})
        if method.__name__ not in done:
            done[method.__name__] = method(self, obj)
        return done[method.__name__]

    return cached


class ScopedAdmin(ScopingMixin, ModelAdmin):
    # One COUNT of the scoped rows (the paginator's), not a second of the
    # whole table for "N total".
    show_full_result_count = False

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request)

    def action_checkbox(self, obj):
        # unfold renders the checkbox's template for every row: render it
        # once per language and put each row's pk in.
        html = _row_checkbox(get_language()).replace("__pk__", escape(str(obj.pk)))
        return mark_safe(html)  # noqa: S308 (the widget's own rendered HTML, the pk escaped)

    action_checkbox.short_description = ModelAdmin.action_checkbox.short_description

    def get_object(self, request, object_id, from_field=None):
        # Out of scope answers 404 before any permission check could say 403.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another association's object, or none at all: the same 404 either way.
        raise Http404


class SharedChoicesFormSet(PaginationInlineFormSet):
    """Every row of an inline offers the same choices in its <select> of a
    related row: they are read once for the formset, not once per row."""

    def _construct_form(self, i, **kwargs):
        return self._share_choices(super()._construct_form(i, **kwargs))

    @property
    def empty_form(self):
        return self._share_choices(super().empty_form)

    def _share_choices(self, form):
        shared = self.__dict__.setdefault("_shared_choices", {})
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if isinstance(field, ModelChoiceField) and type(widget) in (Select, UnfoldAdminSelectWidget):
                if name not in shared:
                    shared[name] = list(field.choices)
                field.choices = shared[name]
        return form


class ScopedTabularInline(ScopingMixin, TabularInline):
    extra = 0
    formset = SharedChoicesFormSet


class _LinkedFile:
    """What the file widget's template reads: the stored name and a URL of a
    view that checks permission (MEDIA_URL is None: files have no public URL)."""

    def __init__(self, file, url: str):
        self.name = file.name
        self.url = url

    def __str__(self) -> str:
        return self.name


class PrivateFileWidget(UnfoldAdminImageFieldWidget):
    """An admin file/image input that never asks storage for a URL; it links
    to `url_name` (an admin view taking the object's pk) instead."""

    def __init__(self, *args, url_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.url_name = url_name

    def is_initial(self, value) -> bool:
        return bool(value and getattr(value, "name", None))

    def format_value(self, value):
        if not self.is_initial(value):
            return None
        return _LinkedFile(value, reverse(self.url_name, args=[value.instance.pk]))
