from django.core.management import call_command


def test_django_check_passes():
    call_command("check")
