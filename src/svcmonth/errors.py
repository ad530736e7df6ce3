"""The one family of errors a user can fix; the CLI turns them into ``Error: …`` and exit 1."""


class SvcmonthError(Exception):
    """A mistake the user can fix: bad input, unknown name, missing database."""


class NotFound(SvcmonthError):
    """An unknown member, campaign, column, outlet or submission."""


class DatabaseError(SvcmonthError):
    """The database file is missing, unreadable, newer than this program, or full."""


class ImportErrors(SvcmonthError):
    """A CSV import with bad rows; ``problems`` holds ``(line, reason)`` pairs."""

    def __init__(self, message: str, problems: list[tuple[int, str]]):
        super().__init__(message)
        self.problems = problems


class SendFailed(SvcmonthError):
    """Some reminders could not be sent; the ones that were sent are kept."""
