"""Staff exports of lists to CSV and XLSX (django-import-export, export
only). Every admin list exports what the admin's scoped queryset holds, with
the list's filters and search applied; a text cell a spreadsheet would run as
a formula is neutralised."""

from decimal import Decimal, InvalidOperation

from import_export import resources
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from unfold.contrib.import_export.forms import ExportForm

# A spreadsheet treats a cell starting with one of these as a formula (tab
# and carriage return too: some read past them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value` made safe to open in a spreadsheet: text that would start a
    formula gets a leading apostrophe (shown as text, not run); numbers,
    negative ones included, stay numbers."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        Decimal(value)
    except InvalidOperation:
        return "'" + value
    return value


class SafeResource(resources.ModelResource):
    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))


class ExportOnlyMixin(ExportMixin):
    """The list's "Export" button: CSV or XLSX, unfold's form, no import."""

    export_form_class = ExportForm
    export_formats = [CSV, XLSX]
