"""A new campaign's settings until the clerk changes them (rules 2, 4, 6, 7 of docs/rules.md):
written once here, read by ``campaigns.create``, ``weeks`` and ``campaign new``.

The first migration (``m001``) holds the same numbers as column defaults: a migration is
history and keeps its literals; nothing inserts a campaign relying on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from types import MappingProxyType


@dataclass(frozen=True)
class CampaignDefaults:
    """The settings a campaign starts with."""

    tz: str = "Asia/Shanghai"  # rule 2
    min_articles: int = 3  # rule 2: the article minimum (rule 5)
    deadline_weekday: int = 0  # rules 2, 4: Monday (0) after each calendar week
    deadline_time: time = time(12, 0)  # rules 2, 4: noon, local time
    on_time_level: int = 2  # rule 6
    late_level: int = 1  # rule 6
    adoption_level: int = 3  # rule 7
    adoption_multiplier: int = 2  # rule 7
    points: Mapping[int, int] = field(  # rule 6: the points of each level
        default_factory=lambda: MappingProxyType({1: 1, 2: 2, 3: 3})
    )


CAMPAIGN = CampaignDefaults()
