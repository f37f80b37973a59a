"""The members app's error: a broken rule, with a message the user can read.
Its own module so that the metric writers (which the tasks run) raise it
without importing the services (which queue those tasks)."""


class MembersError(Exception):
    """A broken rule, with a message the user can read, and the form field
    it is about when there is one."""

    def __init__(self, message="", *, field: str | None = None):
        super().__init__(message)
        self.field = field
