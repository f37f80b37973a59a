"""The project's URLs plus /bench/trivial, mounted only by bench/settings.py."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial", trivial, name="bench_trivial"),
    path("", include("config.urls")),
]
