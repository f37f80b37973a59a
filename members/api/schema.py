"""Tells drf-spectacular how the API authenticates (imported by api_urls)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "members.api.auth.ApiTokenAuthentication"
    name = "businessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A business API token, made in the portal: `Authorization: Bearer <token>`.",
        }
