"""Every HTML response carries the Content-Security-Policy (config/csp.py):
each row of the authorization matrix, for each status it expects, plus the
admin, allauth and error pages; files and JSON get none."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from csp.utils import build_policy
from django.conf import settings
from django.urls import path, reverse

from config import csp
from config.urls import urlpatterns as project_urls
from tests import factories as f
from tests.authz.test_matrix import ROWS


def _broken_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("__broken__/", _broken_view), *project_urls]


def assert_policy(response, url: str) -> None:
    content_type = response.get("Content-Type", "")
    policy = response.get("Content-Security-Policy")
    if not content_type.startswith("text/html"):
        return  # files and JSON: no page policy (a file view may set its own sandbox)
    assert policy, f"{url} has no Content-Security-Policy"
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    script = directives["script-src"].split()
    assert script[0] == "'self'"
    assert "'unsafe-inline'" not in script
    if url.startswith("/admin/"):
        assert directives["style-src"] == "'self' 'unsafe-inline'"
    else:
        assert "'unsafe-eval'" not in script
        assert "'unsafe-inline'" not in directives["style-src"]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method}:{r.name}")
def test_every_matrix_page_carries_the_policy(row, matrix_roles, client_for):
    two_associations = matrix_roles
    # One role for each status the row expects: the page, the 403, the 404, the login redirect.
    roles = {status: role for role, status in reversed(list(row.expect.items()))}
    context = row.setup(two_associations) if row.setup else None
    url = row.url(two_associations) if context is None else row.url(two_associations, context)
    for role in roles.values():
        response = getattr(client_for(role), row.method)(url, row.data)

        assert_policy(response, url)


@pytest.mark.parametrize(
    "name",
    ["admin:index", "admin:associations_standard_changelist", "admin:associations_standard_add"],
)
def test_admin_pages_carry_the_admin_policy(name, two_associations, client_for):
    url = reverse(name)

    response = client_for("staff_admin_a").get(url)

    assert response.status_code == 200
    assert_policy(response, url)
    assert "'unsafe-eval'" in response["Content-Security-Policy"]


def test_admin_change_page_carries_the_admin_policy(two_associations, client_for):
    standard = f.StandardFactory(association=two_associations.a)
    url = reverse("admin:associations_standard_change", args=[standard.pk])

    response = client_for("staff_admin_a").get(url)

    assert response.status_code == 200
    assert_policy(response, url)


@pytest.mark.parametrize(
    "name",
    ["account_login", "account_reset_password", "account_logout", "mfa_index", "api:docs"],
)
def test_library_pages_carry_the_policy(name, two_associations, client_for):
    client = client_for("business_user_a" if name in {"account_logout", "mfa_index"} else "anonymous")
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 200
    assert_policy(response, url)


def test_swagger_docs_inline_script_and_style_carry_the_nonce(client, db):
    response = client.get(reverse("api:docs"))

    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    body = response.content.decode()
    assert body.count(f'nonce="{nonce}"') == 2
    assert re.findall(r"<(script|style)>", body) == []


def test_error_pages_carry_the_policy(client, db, settings):
    settings.ROOT_URLCONF = __name__
    settings.VERIFY_LOOKUPS_PER_MINUTE = 0
    client.raise_request_exception = False

    not_found = client.get("/no-such-page/")
    throttled = client.get(reverse("certification:verify"), {"number": "X"})
    broken = client.get("/__broken__/")

    assert (not_found.status_code, throttled.status_code, broken.status_code) == (404, 429, 500)
    for response in (not_found, throttled, broken):
        assert_policy(response, response.request["PATH_INFO"])


def test_json_and_files_get_no_page_policy(client, db):
    certificate = f.CertificateFactory()

    badge = client.get(reverse("certification:verify_json", args=[certificate.verification_token]))
    schema = client.get(reverse("api:schema"))

    assert badge.status_code == schema.status_code == 200
    assert "Content-Security-Policy" not in badge
    assert "Content-Security-Policy" not in schema


def test_error_page_style_is_allowed_by_its_hash():
    template = (Path(settings.BASE_DIR) / "templates" / "500.html").read_text()
    (style,) = re.findall(r"<style>(.*?)</style>", template, re.S)

    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()

    assert f"'sha256-{digest}'" == csp.ERROR_PAGE_STYLE
    assert csp.ERROR_PAGE_STYLE in csp.SITE_DIRECTIVES["style-src"]


def test_templates_have_no_inline_handlers_or_styles():
    # A nonce covers <script> and <style> elements, never attributes.
    pattern = re.compile(r"""\s(on[a-z]+|style)=["']|javascript:""")
    offenders = [
        str(template.relative_to(settings.BASE_DIR))
        for template in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if template.name != "certificate_pdf.html" and pattern.search(template.read_text())
    ]

    assert offenders == []


def test_admin_policy_applies_where_the_admin_is_mounted():
    assert reverse("admin:index") == csp.ADMIN_PREFIX


@pytest.mark.parametrize("url", ["/verify/", "/admin/login/"])
def test_page_without_a_nonce_gets_the_policy_django_csp_would_build(client, db, url):
    response = client.get(url)

    config = csp.ADMIN_DIRECTIVES if url.startswith("/admin/") else csp.SITE_DIRECTIVES
    expected = build_policy(config=config)
    assert sorted(response["Content-Security-Policy"].split("; ")) == sorted(expected.split("; "))
    assert "nonce-" not in response["Content-Security-Policy"]
