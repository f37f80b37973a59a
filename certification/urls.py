from django.urls import path  # noqa: F401 - public pages (verify, directory) join here

app_name = "certification"

urlpatterns: list = []
