import io
import logging

import pypdf
import pytest

from certification import issuance
from certification.pdf import _weasy, render_certificate_pdf
from tests import factories as f

NAMES = {
    "en": ("Alpha Traders", "Noto-Sans"),
    "ur": ("الفا ٹریڈرز", "Noto-Nastaliq-Urdu"),
    "bn": ("বেঙ্গল কুরিয়ার", "Noto-Sans-Bengali"),
}


def _fonts(reader):
    return {
        font.get_object()["/BaseFont"].split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


@pytest.mark.parametrize("language", ["en", "ur", "bn"])
def test_certificate_pdf_prints_holder_name_without_missing_glyphs(language, db, caplog):
    name, font = NAMES[language]
    association = f.AssociationFactory(default_language=language)
    app = f.ApprovedApplicationFactory(association=association, business=f.BusinessFactory(name=name))
    certificate = issuance.create_certificate(app)

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        reader = pypdf.PdfReader(io.BytesIO(render_certificate_pdf(certificate)))

    text = reader.pages[0].extract_text()
    # WeasyPrint warns for every glyph it had to draw as .notdef (tofu).
    assert [r.getMessage() for r in caplog.records if ".notdef" in r.getMessage()] == []
    assert "\ufffd" not in text
    assert certificate.number in text
    # The name's own script font is embedded, and no fallback font is.
    assert font in _fonts(reader)
    assert all(embedded.startswith("Noto-") for embedded in _fonts(reader))
    # The title carries the exact name in every script; the page text too
    # for Latin (shaped Nastaliq and Bengali clusters extract lossily with
    # pypdf because the PDF maps glyphs, not clusters, to Unicode).
    assert reader.metadata.title == f"{certificate.number} – {name}"
    if language == "en":
        assert name in text


def test_certificate_pdf_fetcher_refuses_network_and_files_outside_static(db):
    fetcher = _weasy()["fetcher"]

    for url in ["https://example.com/logo.png", "file:///etc/passwd", "file:///static/../../etc/passwd"]:
        with pytest.raises(ValueError, match="refused"):
            fetcher.fetch(url)
    assert fetcher.fetch("file:///static/certification/certificate.css").read().startswith(b"/*")
