"""docs/commands.md is every command's --help, regenerated here: a help text changed without
regenerating the file fails (the sqlite-utils habit of documentation that cannot drift)."""

from pathlib import Path

from svcmonth.cli.app import COMMAND_MODULES
from svcmonth.cli.helpdoc import command_paths, generate

DOC = Path(__file__).resolve().parent.parent / "docs" / "commands.md"


def test_docs_commands_md_is_the_help_of_every_command_as_the_code_prints_it():
    assert DOC.read_text(encoding="utf-8") == generate(), (
        "docs/commands.md is stale: run `python -m svcmonth.cli.helpdoc > docs/commands.md`"
    )


def test_the_reference_covers_every_command_and_subcommand():
    paths = command_paths()
    assert {path[0] for path in paths if path} == set(COMMAND_MODULES)
    assert ["remind"] in paths and ["inbox", "accept"] in paths and ["site", "build"] in paths
    # + schedule (21); endorse, report totals (24); settings, campaign edit, bulletin, digest (22);
    # + schedule (21); endorse, report totals (24); settings, campaign edit, bulletin, digest (22);
    # notify results (23); archive export, bundle import (25)
    assert len(paths) == 80
