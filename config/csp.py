"""Content-Security-Policy on every HTML page (django-csp 4).

Our pages load scripts and styles only from our own origin, or inline with the
request's nonce (`nonce="{{ request.csp_nonce }}"`); the one inline style
that cannot have a nonce (500.html, rendered without a request) is allowed by
its hash. The admin gets ADMIN_DIRECTIVES instead (see there why).

Only HTML gets the header: evidence and certificate files are served with
their own type, and a policy on a PDF can stop the browser's viewer."""

import functools

from csp.constants import HEADER, NONCE, NONE, SELF
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

# sha256 of the <style> body in templates/500.html (tests/test_csp.py keeps them equal).
ERROR_PAGE_STYLE = "'sha256-u/Wz1E7x+5HW3KX4Gtn9/+5qG8V+5XzamAbQlCU+K74='"

SITE_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, NONCE, ERROR_PAGE_STYLE],
    # QR codes and the admin's icons are data: images.
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    # The auditor's evidence preview.
    "frame-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
}

# The admin (django-unfold) cannot run under the site policy:
# - Alpine.js, which drives unfold's menus, tabs and filters, is its standard
#   build: it evaluates every x-data/x-on expression with `new Function`, so
#   'unsafe-eval' (unfold ships no CSP build of Alpine);
# - unfold writes its theme colours into an inline <style>, htmx injects its
#   indicator styles, and unfold's templates carry style="" attributes, none
#   of which can take a nonce, so 'unsafe-inline' for styles (a nonce in
#   style-src would disable 'unsafe-inline').
# Inline scripts stay forbidden, and only signed-in staff reach these pages.
ADMIN_DIRECTIVES = {
    **SITE_DIRECTIVES,
    "script-src": [SELF, NONCE, "'unsafe-eval'"],
    "style-src": [SELF, "'unsafe-inline'"],
    "font-src": [SELF, "data:"],
}
ADMIN_PREFIX = "/admin/"


# What a view or a setting can add to one response's policy.
PER_RESPONSE = tuple(
    f"_csp_{part}{suffix}" for part in ("exempt", "config", "update", "replace") for suffix in ("", "_ro")
)


@functools.cache
def fixed_policy(admin: bool) -> str:
    return build_policy(config=ADMIN_DIRECTIVES if admin else SITE_DIRECTIVES)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        if not self._is_plain(request, response):
            return super().process_response(request, response)
        # django-csp builds the policy afresh for every response (a deep copy
        # of the directives and more, as long as the rest of a cached page):
        # without a nonce or anything of the response's own, it is one of two strings.
        if HEADER not in response:
            response[HEADER] = fixed_policy(request.path_info.startswith(ADMIN_PREFIX))
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _is_plain(request: HttpRequest, response: HttpResponseBase) -> bool:
        return (
            getattr(request, "_csp_nonce", None) is None
            and not any(hasattr(response, name) for name in PER_RESPONSE)
            and not getattr(settings, "CONTENT_SECURITY_POLICY", None)
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and not (settings.DEBUG and response.status_code in (404, 500))
        )

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None:
            admin = request.path_info.startswith(ADMIN_PREFIX)
            parts.config = ADMIN_DIRECTIVES if admin else SITE_DIRECTIVES
        return parts
