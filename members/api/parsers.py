"""Request bodies the API refuses with a JSON answer instead of a 500 or
Django's HTML error page: JSON nested deeper than the parser's recursion
allows, and bodies over DATA_UPLOAD_MAX_MEMORY_SIZE."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """The standard parser, but `[[[[...` answers 400: Python's json module
    recurses once per level and gives up with RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None


class RequestBodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


class SafeBodyMixin:
    """For API views that read a body: JSON only, and a body over the limit
    answers 413 in JSON (Django raises RequestDataTooBig while DRF reads
    `request.body`, which would otherwise become an HTML 400 page)."""

    parser_classes = [SafeJSONParser]

    def handle_exception(self, exc):
        if isinstance(exc, RequestDataTooBig):
            limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).replace("\xa0", " ")
            exc = RequestBodyTooLarge(_("The request body is larger than %(size)s.") % {"size": limit})
        return super().handle_exception(exc)
