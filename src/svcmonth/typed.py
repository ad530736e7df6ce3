"""Input as Chinese users type it (README.zh-CN.md): phone numbers. (Times and days as they
type them are read by ``timeutil.parse_instant``/``parse_date``, the one time parser.)

Phone numbers: mobiles (``13904710007``, ``+86 139 0471 0007``), landlines with an area code
and an optional extension (``0471-6900000``, ``(0471)6900000``, ``0471-6900000转8001``),
400/800 service numbers. ``123`` or a ten-digit mobile is refused.
"""

from __future__ import annotations

import re

from svcmonth.errors import SvcmonthError
from svcmonth.i18n import _
from svcmonth.text import FULL_WIDTH

_MOBILE = re.compile(r"^(?:\+?86|0086)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(?:(?:\+?86|0086)[1-9]\d{1,2}|0[1-9]\d{1,2})[2-9]\d{6,7}(?:转\d{1,6})?$")
_SERVICE = re.compile(r"^[48]00\d{7}$")
_SEPARATORS = re.compile(r"[\s\-()]")
_EXTENSION = re.compile(r"(?:转|ext\.?|x|分机)\s*(\d{1,6})$", re.IGNORECASE)


def check_phone(text: str) -> str:
    """A phone number as typed (trimmed), or an error saying which forms are accepted."""
    shown = " ".join((text or "").translate(FULL_WIDTH).split())
    digits = _EXTENSION.sub(r"转\1", shown)
    digits = _SEPARATORS.sub("", digits)
    if _MOBILE.match(digits) or _LANDLINE.match(digits) or _SERVICE.match(digits):
        return shown
    raise SvcmonthError(
        _(
            "{phone!r} is not a phone number (a mobile such as 13904710007, a landline with "
            "its area code such as 0471-6900000 or 0471-6900000转8001, or a 400/800 number)"
        ).format(phone=text)
    )
