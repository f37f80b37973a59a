from django.core.management.base import BaseCommand, CommandError

from config.demo import DemoRefused, format_logins, seed_demo


class Command(BaseCommand):
    help = "Create the demo association, its programme, businesses and people (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (a production-like setup)."
        )

    def handle(self, *args, force=False, **options):
        try:
            logins = seed_demo(force=force)
        except DemoRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(format_logins(logins))
