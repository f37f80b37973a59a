"""The QR poster of a business's open survey link: one A4 page with the
business's name, the invitation in each of the association's languages and
the QR code, rendered by WeasyPrint like the certificates (certification/pdf.py)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from certification.pdf import FONTS, html_to_pdf, qr_data_uri

from ..models import SurveyLink
from .battery import Text

INVITATION = Text(
    "How did we do? Scan the code to tell us. It takes about five minutes and does not ask your name.",
    "ہماری خدمت کیسی رہی؟ کوڈ اسکین کر کے ہمیں بتائیں۔ "
    "اس میں تقریباً پانچ منٹ لگتے ہیں اور آپ کا نام نہیں پوچھا جاتا۔",
    "আমাদের সেবা কেমন ছিল? কোডটি স্ক্যান করে জানান। মোটামুটি পাঁচ মিনিট লাগবে, আপনার নাম জানতে চাওয়া হবে না।",
)
RTL = {"ur"}


def poster_url(link: SurveyLink) -> str:
    return settings.SITE_URL + reverse("survey", args=[link.token])


def poster_pdf(link: SurveyLink) -> bytes:
    languages = [code for code in link.association.languages or ["en"] if code in ("en", "ur", "bn")] or [
        "en"
    ]
    url = poster_url(link)
    html = render_to_string(
        "members/surveys/poster_pdf.html",
        {
            "business": link.business,
            "url": url,
            "qr": qr_data_uri(url),
            "lines": [
                {"language": code, "text": INVITATION.get(code), "rtl": code in RTL, "font": FONTS[code]}
                for code in languages
            ],
        },
    )
    return html_to_pdf(html)
