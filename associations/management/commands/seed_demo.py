from django.core.management.base import BaseCommand

from config.demo import format_logins, seed_demo


class Command(BaseCommand):
    help = "Create the demo association, its programme, businesses and people (safe to run again)."

    def handle(self, *args, **options):
        logins = seed_demo()
        self.stdout.write(format_logins(logins))
