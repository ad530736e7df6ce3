"""Run svcmonth as ``python -m svcmonth``."""

from svcmonth.cli.app import main

main()
