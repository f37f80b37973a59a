"""The certification app's one error: a broken rule, with a message the user
can read. Its own module so that issuance (which tasks run) and the services
(which queue those tasks) both raise it without importing each other."""


class CertificationError(Exception):
    """A broken rule, with a message the user can read."""
