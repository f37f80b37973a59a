"""The association's signed credentials (Open Badges, status lists): its
issuer id and Ed25519 key (credentials.py), the proof added here."""

import datetime

from django.conf import settings
from django.urls import reverse

from . import credentials


def issuer_id(association_slug: str) -> str:
    """The issuer's URL: its profile, with the public key, served by us."""
    return settings.SITE_URL + reverse("certification:issuer", args=[association_slug])


def issuer_profile(association) -> dict:
    """The controller document verifiers dereference for the key (with the
    issuer's name, as an Open Badges Profile)."""
    public_key = credentials.load_credential_key(association).public_key()
    document = credentials.controller_document(public_key, controller=issuer_id(association.slug))
    return document


def sign_for_association(credential: dict, association, *, created: datetime.datetime | None = None) -> dict:
    key = credentials.load_credential_key(association)
    method = credentials.verification_method_id(key.public_key(), controller=issuer_id(association.slug))
    return credentials.sign_credential(credential, key=key, verification_method=method, created=created)
