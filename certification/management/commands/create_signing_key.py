from django.core.management.base import BaseCommand, CommandError

from associations.models import Association
from certification.credentials import create_credential_key
from certification.signing import create_signing_key


class Command(BaseCommand):
    help = (
        "Create the association's certificate signing key and self-signed X.509 certificate (PDFs), "
        "and its Ed25519 key (the signed Open Badges credentials and status lists)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace an existing key (PDFs signed before stay verifiable only by hash).",
        )

    def handle(self, *args, slug: str, replace: bool, **options):
        association = Association.objects.filter(slug=slug).first()
        if association is None:
            raise CommandError(f"No association with slug {slug!r}.")
        try:
            directory = create_signing_key(association, replace=replace)
        except FileExistsError as error:
            raise CommandError(f"{error}; use --replace to make a new one.") from None
        self.stdout.write(f"Signing key for {association.name} written to {directory}")
        try:
            path = create_credential_key(association, replace=replace)
        except FileExistsError as error:
            raise CommandError(f"{error}; use --replace to make a new one.") from None
        self.stdout.write(f"Credential key (Ed25519) for {association.name} written to {path}")
