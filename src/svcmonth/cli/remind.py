"""``svcmonth remind``: the reminders due now (registered once the mailer lands)."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Nothing yet."""
