"""One function turns a certificate into PDF bytes.

WeasyPrint is imported lazily (the web process rarely renders). A worker
keeps one FontConfiguration and the compiled stylesheet for its lifetime:
building them is most of the cost of a first render. Nothing is fetched from
the network: the URL fetcher serves our static files and data: URIs only."""

import base64
import io
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from associations.models import Dimension

STYLESHEET = "certification/certificate.css"
# Fonts by script; installed by the setup (Debian fonts-noto-core).
FONTS = {
    "en": '"Noto Sans", "Noto Sans Bengali", "Noto Nastaliq Urdu", sans-serif',
    "ur": '"Noto Nastaliq Urdu", "Noto Sans", "Noto Sans Bengali", sans-serif',
    "bn": '"Noto Sans Bengali", "Noto Sans", "Noto Nastaliq Urdu", sans-serif',
}

_shared: dict = {}


def _weasy():
    """(weasyprint module, FontConfiguration, compiled stylesheet, fetcher),
    built once per process."""
    if not _shared:
        # Lazy: WeasyPrint costs a process 0.5 s and about 45 MB, and only
        # the processes that render certificates need it.
        import weasyprint  # noqa: PLC0415
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415
        from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415

        class StaticOnlyFetcher(URLFetcher):
            """Serves data: URIs and files under our static directories;
            refuses everything else (no network while rendering)."""

            def fetch(self, url, headers=None):
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                parsed = urlparse(url)
                prefix = "/static/"
                relative = unquote(parsed.path.removeprefix(prefix))
                if parsed.scheme == "file" and parsed.path.startswith(prefix) and ".." not in relative:
                    found = finders.find(relative)
                    if found:
                        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                        return URLFetcherResponse(
                            url, Path(found).read_bytes(), {"Content-Type": content_type}
                        )
                raise ValueError(f"refused to fetch {url}")

        font_config = FontConfiguration()
        fetcher = StaticOnlyFetcher(fail_on_errors=False)
        css_path = finders.find(STYLESHEET)
        stylesheet = weasyprint.CSS(
            string=Path(css_path).read_text(encoding="utf-8"),
            base_url="file:///static/",
            font_config=font_config,
            url_fetcher=fetcher,
        )
        _shared.update(weasyprint=weasyprint, font_config=font_config, stylesheet=stylesheet, fetcher=fetcher)
    return _shared


def verification_url(certificate) -> str:
    return settings.SITE_URL + reverse("certification:verify_detail", args=[certificate.verification_token])


def qr_data_uri(text: str) -> str:
    # Lazy, as WeasyPrint: only rendering needs it.
    import segno  # noqa: PLC0415

    # A fixed mask: choosing the best of eight costs eight layouts and their
    # penalty scores (a few ms a certificate); any mask scans.
    code = segno.make_qr(text, error="m", mask=0)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=10, border=1, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _logo_data_uri(association) -> str:
    if not association.logo:
        return ""
    try:
        with association.logo.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    content_type = mimetypes.guess_type(association.logo.name)[0] or "image/png"
    return f"data:{content_type};base64," + base64.b64encode(data).decode()


def certificate_html(certificate) -> str:
    """The certificate's page, in the association's chosen language, from
    the fields frozen on the certificate."""
    language = certificate.language
    url = verification_url(certificate)
    with translation.override(language):
        html = render_to_string(
            "certification/certificate_pdf.html",
            {
                "certificate": certificate,
                "language": language,
                "rtl": translation.get_language_bidi(),
                "font_family": FONTS.get(language, FONTS["en"]),
                "brand_colour": certificate.association.brand_colour,
                "logo": _logo_data_uri(certificate.association),
                "qr": qr_data_uri(url),
                "verification_url": url,
                "dimension_scores": [
                    (label, certificate.dimension_scores[value])
                    for value, label in Dimension.choices
                    if value in certificate.dimension_scores
                ],
            },
        )
    return html


def html_to_pdf(html: str) -> bytes:
    shared = _weasy()
    document = shared["weasyprint"].HTML(
        string=html, base_url="file:///static/", url_fetcher=shared["fetcher"]
    )
    return document.write_pdf(
        stylesheets=[shared["stylesheet"]],
        font_config=shared["font_config"],
        pdf_variant=None,
        uncompressed_pdf=False,
    )


def render_certificate_pdf(certificate) -> bytes:
    """The certificate as PDF bytes."""
    return html_to_pdf(certificate_html(certificate))
