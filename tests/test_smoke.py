def test_django_check_passes():
    from django.core.management import call_command

    call_command("check")
