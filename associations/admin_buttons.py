"""Buttons on a record's admin page (unfold's `actions_detail`). Each opens
a styled form page that says what will happen, calls one service, and shows
the service's refusal as a message at the top of the page. A button is shown
only when the record's state allows it and the user may act (viewers see
none); the page itself refuses a look-only role (403) and answers another
association's record with 404."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.widgets import (
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from .admin_scoping import access


def unfold_widgets(form: forms.Form) -> forms.Form:
    """Give a plain form's fields unfold's styled widgets (the same look as
    the admin's own forms), keeping their attributes."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Textarea):
            field.widget = UnfoldAdminTextareaWidget(attrs=widget.attrs)
        elif isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
            styled = UnfoldAdminSelectWidget(attrs=widget.attrs)
            styled.choices = widget.choices
            field.widget = styled
        elif isinstance(widget, forms.DateInput):
            field.widget = UnfoldAdminTextInputWidget(attrs={"type": "date", **widget.attrs})
    return form


class RecordButtonsMixin:
    """For a ModelAdmin with `actions_detail`: the record the buttons act on
    (scoped, read once per request) and which buttons its state allows
    (`buttons_for(request, obj)`, the names of the methods)."""

    def button_object(self, request, object_id):
        cache = request.__dict__.setdefault("_button_objects", {})
        key = (self.model._meta.label, str(object_id))
        if key not in cache:
            cache[key] = self.get_object(request, unquote(str(object_id)))  # 404 when out of scope
        return cache[key]

    def has_act_permission(self, request, object_id=None) -> bool:
        """unfold's permission check of a button (`permissions=["act"]`)."""
        if access(request).is_superuser:
            if object_id is not None:
                self.button_object(request, object_id)
            return True
        if object_id is None:
            return bool(access(request).editable_ids)
        return self._can_edit(request, self.button_object(request, object_id))

    def buttons_for(self, request, obj) -> set[str]:
        return set()

    def get_actions_detail(self, request, object_id):
        actions = super().get_actions_detail(request, object_id)
        if not actions or object_id is None:
            return actions
        valid = self.buttons_for(request, self.button_object(request, object_id))
        return [a for a in actions if a.method.original_function_name in valid]

    def change_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def button_page(
    modeladmin,
    request,
    obj,
    *,
    form: forms.Form,
    title: str,
    explanation: str,
    submit: str,
    run: Callable[[dict], object],
    refused: type[Exception] | tuple[type[Exception], ...],
    done: str,
    danger: bool = False,
    summary: list[tuple[str, object]] | None = None,
    template: str = "admin/record_button.html",
    extra: dict | None = None,
    next_url: str | None = None,
):
    """The button's page: on a valid POST `run(cleaned_data)` (which calls
    the service); success goes back to the record with `done`, a refusal
    stays on the page with the reason at the top."""
    unfold_widgets(form)
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except refused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
            return HttpResponseRedirect(next_url or modeladmin.change_url(obj))
    return TemplateResponse(
        request,
        template,
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "subtitle": str(obj),
            "object": obj,
            "opts": modeladmin.model._meta,
            "form": form,
            "explanation": explanation,
            "submit_label": submit,
            "danger": danger,
            "summary": summary or [],
            "back_url": modeladmin.change_url(obj),
            **(extra or {}),
        },
    )


def posted(request):
    """The form data of a POST (even an empty one), None otherwise."""
    return request.POST if request.method == "POST" else None
