import ctypes.util

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


def check_harfbuzz_subset(app_configs, **kwargs):
    """WeasyPrint subsets fonts about 3x faster with libharfbuzz-subset."""
    if ctypes.util.find_library("harfbuzz-subset"):
        return []
    return [
        checks.Warning(
            "libharfbuzz-subset0 is not installed: certificate PDFs render about 3x slower.",
            hint="apt-get install libharfbuzz-subset0 (make system-deps does it as root).",
            id="certification.W001",
        )
    ]


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self):
        checks.register(check_harfbuzz_subset)
