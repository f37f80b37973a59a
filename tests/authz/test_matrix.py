import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import authz

MODULES = [
    importlib.import_module(f"tests.authz.{m.name}")
    for m in pkgutil.iter_modules(authz.__path__)
    if not m.name.startswith("test_")
]
ROWS = [row for module in MODULES for row in module.ROWS]

# URL names that belong to libraries and are public by design, or admin URLs
# covered by the admin isolation tests rather than row by row.
EXEMPT_NAMESPACES = {"admin"}
EXEMPT_PREFIXES = ("account_", "mfa_", "set_language", "usersessions_")
# Public and role-free, tested on its own against a real worker: tests/test_health.py
EXEMPT_NAMES = {"healthz"}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


@pytest.mark.parametrize("role", authz.ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method}:{r.name}")
def test_matrix_status(row, role, matrix_roles, client_for):
    client = client_for(role)
    context = row.setup(matrix_roles) if row.setup else None
    url = row.url(matrix_roles) if context is None else row.url(matrix_roles, context)

    response = getattr(client, row.method)(url, row.data)

    assert response.status_code == row.expect[role], f"{role} {row.method.upper()} {url}"


def test_matrix_names_every_url_of_the_project():
    covered = {row.name for row in ROWS}
    missing = sorted(
        name
        for name in set(_named_urls())
        if name not in covered
        and name not in EXEMPT_NAMES
        and name.split(":")[0] not in EXEMPT_NAMESPACES
        and not name.startswith(EXEMPT_PREFIXES)
    )
    assert missing == []
