"""Output: declared columns, the format registry, files written once, pages.

Importing the package registers every output format, in the order ``--format`` lists them:
``render``'s text formats (table, csv, json, md), then ``pages`` (html), then ``xlsx``. A
format is a function registered with ``render.register``: in ``render.py``, or in a module of
its own imported below.
"""

from svcmonth.output import render  # noqa: F401  (table, csv, json, md)
from svcmonth.output import pages  # noqa: F401  (html)
from svcmonth.output import xlsx  # noqa: F401  (xlsx)
