"""The customer's complaint pages, /complaints/ (namespace `complaints`)."""

from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("new/<str:token>/", views.complain, name="new"),
    path("confirm/<str:signed>/", views.confirm, name="confirm"),
    path("c/<str:signed>/", views.customer, name="customer"),
    path("files/<int:pk>/", views.complaint_file, name="file"),
]
