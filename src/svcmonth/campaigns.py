"""Campaigns: creation, settings, weeks and deadlines, and choosing the one a command means."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from svcmonth import rules, storage, timeutil
from svcmonth.defaults import CAMPAIGN as DEFAULTS
from svcmonth.errors import NotFound, SvcmonthError
from svcmonth.i18n import N_, _
from svcmonth.storage.audit import record
from svcmonth.text import check_text
from svcmonth.weeks import WEEKDAYS, Week, campaign_weeks, last_ended

DEFAULT_TZ = DEFAULTS.tz


@dataclass
class Campaign:
    """A campaign's settings and weeks, as stored (deadlines as moved by the clerk)."""

    id: int
    name: str
    start: date
    end: date
    tz: ZoneInfo
    min_articles: int
    deadline_weekday: int
    deadline_time: time
    on_time_level: int
    late_level: int
    adoption_level: int
    adoption_multiplier: int
    start_utc: str
    endorsement_points: int = 0  # what each 批示 adds to a submission's points (issue 24)
    points: dict[int, int] = field(default_factory=dict)
    doubling_outlets: list[str] = field(default_factory=list)
    weeks: list[Week] = field(default_factory=list)

    @property
    def window_end(self) -> str:
        """The instant the article window and the campaign's span end (stored form)."""
        return timeutil.to_db(rules.window_end(self.weeks))

    def article_week(self, number: int) -> tuple[str, str]:
        """Week ``number``'s articles in the weekly view, ``[start, end)`` (stored forms)."""
        self.week(number)
        start, end = rules.article_week_bounds(self.weeks, number, self.tz)
        return timeutil.to_db(start), timeutil.to_db(end)

    def last_ended_week(self, instant: datetime) -> int:
        """The last week that ended at ``instant`` (week 1 while none has)."""
        last = last_ended(self.weeks, instant)
        return last.number if last else 1

    def week(self, number: int) -> Week:
        """Week ``number``, or a clear error when the campaign has no such week."""
        if not 1 <= number <= len(self.weeks):
            raise SvcmonthError(
                _("week {week} is out of range: campaign {name} has weeks 1-{n}").format(
                    week=number, name=self.name, n=len(self.weeks)
                )
            )
        return self.weeks[number - 1]

    def show(self, stored: str | None) -> str | None:
        """A stored instant in this campaign's zone."""
        return timeutil.show(stored, self.tz)

    def settings(self) -> dict[str, Any]:
        """The settings as the ``campaign show --format json`` object."""
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tz": self.tz.key,
            "min_articles": self.min_articles,
            "deadline_weekday": WEEKDAYS[self.deadline_weekday],
            "deadline_time": self.deadline_time.isoformat(timespec="minutes"),
            "on_time_level": self.on_time_level,
            "late_level": self.late_level,
            "adoption_level": self.adoption_level,
            "adoption_multiplier": self.adoption_multiplier,
            "endorsement_points": self.endorsement_points,
            "points": {str(k): v for k, v in sorted(self.points.items())},
            "doubling_outlets": list(self.doubling_outlets),
            "weeks": self.week_rows(),
        }

    def week_rows(self) -> list[dict[str, Any]]:
        """The weeks as rows: ``week, first_day, last_day, deadline``."""
        return [
            {
                "week": w.number,
                "first_day": w.first_day.isoformat(),
                "last_day": w.last_day.isoformat(),
                "deadline": w.deadline.astimezone(self.tz).isoformat(timespec="seconds"),
            }
            for w in self.weeks
        ]


def clean_name(name: str | None) -> str:
    """A campaign's name as stored (``campaign new`` and ``campaign rename``): one line, no
    control character (``text.check_text``), not empty."""
    text = check_text(name, "name")
    if not text:
        raise SvcmonthError(_("the campaign needs a name"))
    return text


def create(
    conn: sqlite3.Connection,
    name: str,
    start: date,
    end: date,
    now: datetime,
    *,
    tz_name: str = DEFAULTS.tz,
    min_articles: int = DEFAULTS.min_articles,
    deadline_weekday: int = DEFAULTS.deadline_weekday,
    deadline_time: time = DEFAULTS.deadline_time,
    late_level: int = DEFAULTS.late_level,
) -> Campaign:
    """Create a campaign with its weeks and default rules (inside the caller's transaction)."""
    name = clean_name(name)
    tz = timeutil.zone(tz_name)
    if min_articles < 0:
        raise SvcmonthError(_("the article minimum cannot be negative"))
    if late_level not in rules.MANUAL_LEVELS:
        raise SvcmonthError(_("the late level must be 1, 2 or 3"))
    weeks = campaign_weeks(start, end, tz, deadline_weekday, deadline_time)
    if conn.execute("SELECT 1 FROM campaign WHERE name = ?", (name,)).fetchone():
        raise SvcmonthError(_("a campaign named {name!r} already exists").format(name=name))
    refuse_overlap(
        conn,
        None,
        timeutil.to_db(timeutil.local_midnight(start, tz)),
        timeutil.to_db(rules.window_end(weeks)),
    )
    at = timeutil.to_db(now)
    cur = conn.execute(
        "INSERT INTO campaign (name, start_date, end_date, tz, start_utc, min_articles,"
        " deadline_weekday, deadline_time, late_level, on_time_level, adoption_level,"
        " adoption_multiplier, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            name,
            start.isoformat(),
            end.isoformat(),
            tz.key,
            timeutil.to_db(timeutil.local_midnight(start, tz)),
            min_articles,
            deadline_weekday,
            deadline_time.isoformat(),
            late_level,
            DEFAULTS.on_time_level,
            DEFAULTS.adoption_level,
            DEFAULTS.adoption_multiplier,
            at,
        ),
    )
    cid = cur.lastrowid
    conn.executemany(
        "INSERT INTO campaign_points (campaign_id, level, points) VALUES (?, ?, ?)",
        [(cid, level, pts) for level, pts in DEFAULTS.points.items()],
    )
    conn.execute(
        "INSERT INTO campaign_doubling_outlet (campaign_id, outlet)"
        " SELECT ?, name FROM outlet WHERE doubling_default = 1",
        (cid,),
    )
    conn.executemany(
        "INSERT INTO campaign_week (campaign_id, week, first_day, last_day, ends_at,"
        " default_deadline, deadline) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                cid,
                w.number,
                w.first_day.isoformat(),
                w.last_day.isoformat(),
                timeutil.to_db(w.ends),
                timeutil.to_db(w.deadline),
                timeutil.to_db(w.deadline),
            )
            for w in weeks
        ],
    )
    record(conn, at, "create", "campaign", name, None, {"start": str(start), "end": str(end)})
    return load(conn, name)


_SELECT = (
    "SELECT id, name, start_date, end_date, tz, min_articles, deadline_weekday, deadline_time,"
    " on_time_level, late_level, adoption_level, adoption_multiplier, start_utc,"
    " endorsement_points FROM campaign"
)


def load(conn: sqlite3.Connection, name: str) -> Campaign:
    """The campaign called ``name``."""
    row = storage.named(conn.execute(_SELECT + " WHERE name = ?", (name,))).fetchone()
    if row is None:
        known = [r[0] for r in conn.execute("SELECT name FROM campaign ORDER BY start_date")]
        hint = ", ".join(known) if known else _("none yet: create one with `campaign new`")
        raise NotFound(
            _("no campaign named {name!r} (campaigns: {known})").format(name=name, known=hint)
        )
    return _from_row(conn, row)


def load_by_id(conn: sqlite3.Connection, campaign_id: int) -> Campaign:
    """The campaign with this id (a submission's)."""
    row = storage.named(conn.execute(_SELECT + " WHERE id = ?", (campaign_id,))).fetchone()
    if row is None:
        raise NotFound(_("no campaign with id {id}").format(id=campaign_id))
    return _from_row(conn, row)


def campaign_containing(conn: sqlite3.Connection, at: str) -> Campaign | None:
    """The campaign whose span contains the stored instant ``at``, if any."""
    row = conn.execute(
        "SELECT campaign_id FROM campaign_span WHERE start_utc <= ? AND ? < window_end",
        (at, at),
    ).fetchone()
    return None if row is None else load_by_id(conn, row[0])


def _from_row(conn: sqlite3.Connection, row: sqlite3.Row) -> Campaign:
    tz = timeutil.zone(row["tz"])
    c = Campaign(
        id=row["id"],
        name=row["name"],
        start=date.fromisoformat(row["start_date"]),
        end=date.fromisoformat(row["end_date"]),
        tz=tz,
        min_articles=row["min_articles"],
        deadline_weekday=row["deadline_weekday"],
        deadline_time=time.fromisoformat(row["deadline_time"]),
        on_time_level=row["on_time_level"],
        late_level=row["late_level"],
        adoption_level=row["adoption_level"],
        adoption_multiplier=row["adoption_multiplier"],
        start_utc=row["start_utc"],
        endorsement_points=row["endorsement_points"],
    )
    c.points = dict(
        conn.execute("SELECT level, points FROM campaign_points WHERE campaign_id = ?", (c.id,))
    )
    c.doubling_outlets = [
        r[0]
        for r in conn.execute(
            "SELECT d.outlet FROM campaign_doubling_outlet d JOIN outlet o ON o.name = d.outlet"
            " WHERE d.campaign_id = ? ORDER BY o.rowid",
            (c.id,),
        )
    ]
    c.weeks = [
        Week(
            number=r["week"],
            first_day=date.fromisoformat(r["first_day"]),
            last_day=date.fromisoformat(r["last_day"]),
            ends=timeutil.from_db(r["ends_at"]),
            deadline=timeutil.from_db(r["deadline"]),
        )
        for r in storage.named(
            conn.execute(
                "SELECT week, first_day, last_day, ends_at, deadline FROM campaign_week"
                " WHERE campaign_id = ? ORDER BY week",
                (c.id,),
            )
        )
    ]
    return c


def refuse_overlap(
    conn: sqlite3.Connection, campaign_id: int | None, start_utc: str, end_utc: str
) -> None:
    """Rule 11: campaigns never overlap. Refuse a span ``[start_utc, end_utc)`` that overlaps
    another campaign's, naming it (``campaign_id``: the campaign being changed)."""
    row = storage.named(
        conn.execute(
            "SELECT name, start_utc, window_end FROM campaign_span"
            " WHERE campaign_id IS NOT ? AND start_utc < ? AND ? < window_end"
            " ORDER BY start_utc LIMIT 1",
            (campaign_id, end_utc, start_utc),
        )
    ).fetchone()
    if row is not None:
        zone = zone_for_display(conn)
        raise SvcmonthError(
            _(
                "campaigns may not overlap: this one would run from {start} to {end}, "
                "into {name} ({other_start} to {other_end})"
            ).format(
                start=timeutil.minute(timeutil.from_db(start_utc), zone),
                end=timeutil.minute(timeutil.from_db(end_utc), zone),
                name=row["name"],
                other_start=timeutil.minute(timeutil.from_db(row["start_utc"]), zone),
                other_end=timeutil.minute(timeutil.from_db(row["window_end"]), zone),
            )
        )


class Placer:
    """Which campaign and which instant a command means; see ``campaign_and_instant``.

    Built once per command (an import places thousands of rows with one): every campaign is
    read once, each instant is then placed without a query.
    """

    def __init__(self, conn: sqlite3.Connection, name: str | None, *, submission: bool = False):
        self.named = load(conn, name) if name else None
        self.submission = submission
        self.loaded: list[Campaign] = []
        self.spans: list[tuple[str, str, Campaign]] | None = None
        if self.named is None:
            self.loaded = [
                _from_row(conn, row)
                for row in storage.named(
                    conn.execute(_SELECT + " ORDER BY start_date DESC, id DESC")
                )
            ]
        self.zone = (
            self.named.tz
            if self.named
            else (self.loaded[0].tz if self.loaded else timeutil.zone(DEFAULT_TZ))
        )
        # a date typed without a year (7月17日) takes the campaign's, else the latest one's
        latest = self.named or (self.loaded[0] if self.loaded else None)
        self.year = latest.start.year if latest else None

    def _containing(self, at: str) -> Campaign | None:
        if self.spans is None:  # each campaign's span once, not once a row
            self.spans = [(c.start_utc, c.window_end, c) for c in self.loaded if c.weeks]
        for start, end, c in self.spans:
            if start <= at < end:
                return c
        return None

    def __call__(self, when: str | datetime | None, now: datetime) -> tuple[Campaign, datetime]:
        """``(campaign, instant)`` for ``when``: a typed time (without an offset it is read in
        the campaign's zone), an instant, or None for ``now``."""
        text = when if isinstance(when, str) else None
        instant = now if when is None else when if isinstance(when, datetime) else None
        if instant is None:
            assert text is not None
            instant = timeutil.parse_instant(text, self.zone, self.year or now.year)
        if self.named is not None:
            campaign = self.named
            if self.submission and timeutil.to_db(instant) < campaign.start_utc:
                raise SvcmonthError(
                    _("{at} is before campaign {name} starts ({start})").format(
                        at=timeutil.minute(instant, campaign.tz),
                        name=campaign.name,
                        start=campaign.start.isoformat(),
                    )
                )
            return campaign, instant
        found = self._containing(timeutil.to_db(instant))
        if found is not None and text is not None and found.tz.key != self.zone.key:
            instant = timeutil.parse_instant(text, found.tz, self.year or now.year)
            found = self._containing(timeutil.to_db(instant))
        if found is not None:
            return found, instant
        if not self.loaded:
            raise NotFound(_("no campaign yet: create one with `svcmonth campaign new`"))
        if self.submission:
            raise SvcmonthError(
                _(
                    "no campaign runs at {at} (campaigns run from their first day to their last "
                    "week's deadline); to log it in a past campaign, name it with --campaign"
                ).format(at=timeutil.minute(instant, self.zone))
            )
        return self.loaded[0], instant


def campaign_and_instant(
    conn: sqlite3.Connection,
    name: str | None,
    when: str | datetime | None,
    now: datetime,
    *,
    submission: bool = False,
) -> tuple[Campaign, datetime]:
    """Which campaign and which instant a command means: every command, import and intake
    path decides it here (docs/rules.md, which campaign an instant belongs to).

    ``when`` is the instant in question: a typed time (``--at``, ``--as-of``; without an
    offset it is read in the campaign's zone), an instant (a mail's date), or None for
    ``now``. The campaign is ``name``'s; else the one whose span (first day 00:00 to the last
    week's deadline) contains the instant; else the latest by first day. With
    ``submission`` (something is being logged), an instant in no campaign's span is refused
    unless the campaign is named, and one before the named campaign's first day always.
    """
    return Placer(conn, name, submission=submission)(when, now)


def resolve(conn: sqlite3.Connection, name: str | None, instant: datetime) -> Campaign:
    """The campaign a command means at ``instant`` (``campaign_and_instant``'s campaign)."""
    return campaign_and_instant(conn, name, instant, instant)[0]


def zone_of(conn: sqlite3.Connection, campaign_id: int) -> ZoneInfo:
    """The zone of the campaign ``campaign_id`` (without loading its weeks)."""
    row = conn.execute("SELECT tz FROM campaign WHERE id = ?", (campaign_id,)).fetchone()
    return timeutil.zone(row[0])


def zone_for_display(conn: sqlite3.Connection) -> ZoneInfo:
    """The zone to show times that belong to no campaign in: the latest campaign's, or the
    default."""
    row = conn.execute("SELECT tz FROM campaign ORDER BY start_date DESC LIMIT 1").fetchone()
    return timeutil.zone(row[0] if row else DEFAULT_TZ)


def move_deadline(
    conn: sqlite3.Connection, campaign: Campaign, week: int, at: datetime, now: datetime
) -> dict[str, Any]:
    """Move one week's deadline for everyone (a holiday). Rule 12: the deadlines stay in
    order (after the week's last day, not before the previous week's deadline, no later than
    the next week's); moving the last week's moves the campaign's span (rule 11)."""
    w = campaign.week(week)
    new = timeutil.to_db(at)
    old = timeutil.to_db(w.deadline)
    shown = campaign.show
    if at < w.ends:
        raise SvcmonthError(
            _("week {week}'s deadline must lie after its last day ({day})").format(
                week=week, day=w.last_day.isoformat()
            )
        )
    if week > 1 and at < campaign.weeks[week - 2].deadline:
        raise SvcmonthError(
            _(
                "week {week}'s deadline cannot precede week {prev}'s ({at}); move week {prev} first"
            ).format(
                week=week,
                prev=week - 1,
                at=shown(timeutil.to_db(campaign.weeks[week - 2].deadline)),
            )
        )
    if week < len(campaign.weeks) and at > campaign.weeks[week].deadline:
        raise SvcmonthError(
            _(
                "week {week}'s deadline cannot be later than week {next}'s ({at}); move week "
                "{next} first"
            ).format(
                week=week, next=week + 1, at=shown(timeutil.to_db(campaign.weeks[week].deadline))
            )
        )
    if week == len(campaign.weeks):
        refuse_overlap(conn, campaign.id, campaign.start_utc, new)
    conn.execute(
        "UPDATE campaign_week SET deadline = ? WHERE campaign_id = ? AND week = ?",
        (new, campaign.id, week),
    )
    record(
        conn,
        timeutil.to_db(now),
        "move_deadline",
        "campaign_week",
        f"{campaign.name}#{week}",
        {"deadline": old},
        {"deadline": new},
    )
    return {"week": week, "deadline": campaign.show(new), "was": campaign.show(old)}


def rename(conn: sqlite3.Connection, old: str, new: str, now: datetime) -> Campaign:
    """Rename a campaign (audited)."""
    campaign = load(conn, old)
    name = clean_name(new)
    if (
        name != campaign.name
        and conn.execute("SELECT 1 FROM campaign WHERE name = ?", (name,)).fetchone()
    ):
        raise SvcmonthError(_("a campaign named {name!r} already exists").format(name=name))
    conn.execute("UPDATE campaign SET name = ? WHERE id = ?", (name, campaign.id))
    record(
        conn,
        timeutil.to_db(now),
        "rename",
        "campaign",
        name,
        {"name": campaign.name},
        {"name": name},
    )
    return load(conn, name)


# what a campaign holds that is logged work, not its own settings
_LOGGED = (
    ("submission", N_("submission(s)")),
    ("deadline_extension", N_("extension(s)")),
    ("reminder", N_("reminder(s) sent")),
    ("survey", N_("survey(s)")),
    ("intake", N_("inbox entry(ies)")),
)


def delete(conn: sqlite3.Connection, name: str, now: datetime) -> None:
    """Delete a campaign made by mistake: only one with nothing logged in it (audited)."""
    campaign = load(conn, name)
    held = []
    for table, label in _LOGGED:
        n = conn.execute(
            f"SELECT count(*) FROM {table} WHERE campaign_id = ?",  # noqa: S608 (fixed names)
            (campaign.id,),
        ).fetchone()[0]
        if n:
            held.append(f"{n} {_(label)}")
    if held:
        raise SvcmonthError(
            _("campaign {name} holds {held}: only an empty campaign can be deleted").format(
                name=campaign.name, held=_(", ").join(held)
            )
        )
    before = campaign.settings()
    before.pop("weeks")
    for table in ("campaign_points", "campaign_doubling_outlet", "campaign_week"):
        conn.execute(
            f"DELETE FROM {table} WHERE campaign_id = ?",  # noqa: S608 (fixed names)
            (campaign.id,),
        )
    conn.execute("DELETE FROM campaign WHERE id = ?", (campaign.id,))
    record(conn, timeutil.to_db(now), "delete", "campaign", campaign.name, before, None)


def set_rules(
    conn: sqlite3.Connection,
    campaign: Campaign,
    now: datetime,
    *,
    min_articles: int | None = None,
    late_level: int | None = None,
    on_time_level: int | None = None,
    points: dict[int, int] | None = None,
    adoption_multiplier: int | None = None,
    endorsement_points: int | None = None,
    add_doubling: list[str] | None = None,
    remove_doubling: list[str] | None = None,
) -> Campaign:
    """Change the campaign's scoring rules; every derived figure follows at once."""
    before = campaign.settings()
    for which, value in ((N_("late"), late_level), (N_("on time"), on_time_level)):
        if value is not None and value not in rules.MANUAL_LEVELS:
            raise SvcmonthError(_("the {which} level must be 1, 2 or 3").format(which=_(which)))
    if min_articles is not None and min_articles < 0:
        raise SvcmonthError(_("the article minimum cannot be negative"))
    if adoption_multiplier is not None and adoption_multiplier < 1:
        raise SvcmonthError(_("the adoption multiplier must be at least 1"))
    updates = {
        "min_articles": min_articles,
        "late_level": late_level,
        "on_time_level": on_time_level,
        "adoption_multiplier": adoption_multiplier,
        "endorsement_points": endorsement_points,
    }
    for column, value in updates.items():
        if value is not None:
            conn.execute(
                f"UPDATE campaign SET {column} = ? WHERE id = ?",  # noqa: S608 (fixed names)
                (value, campaign.id),
            )
    for level, pts in (points or {}).items():
        if level not in rules.MANUAL_LEVELS or pts < 0:
            raise SvcmonthError(_("points are given as LEVEL=POINTS, level 1-3, points >= 0"))
        conn.execute(
            "UPDATE campaign_points SET points = ? WHERE campaign_id = ? AND level = ?",
            (pts, campaign.id, level),
        )
    for outlet in add_doubling or []:
        _require_outlet(conn, outlet)
        conn.execute(
            "INSERT OR IGNORE INTO campaign_doubling_outlet (campaign_id, outlet) VALUES (?, ?)",
            (campaign.id, outlet),
        )
    for outlet in remove_doubling or []:
        _require_outlet(conn, outlet)
        conn.execute(
            "DELETE FROM campaign_doubling_outlet WHERE campaign_id = ? AND outlet = ?",
            (campaign.id, outlet),
        )
    changed = load(conn, campaign.name)
    after = changed.settings()
    before.pop("weeks")
    after.pop("weeks")
    record(conn, timeutil.to_db(now), "set_rules", "campaign", campaign.name, before, after)
    return changed


def _require_outlet(conn: sqlite3.Connection, outlet: str) -> None:
    if not conn.execute("SELECT 1 FROM outlet WHERE name = ?", (outlet,)).fetchone():
        raise NotFound(_("unknown outlet {name!r}; see `svcmonth outlet list`").format(name=outlet))


def list_all(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every campaign, oldest first: name, start, end, tz, weeks, min_articles."""
    return [
        dict(r)
        for r in storage.named(
            conn.execute(
                "SELECT name, start_date AS start, end_date AS end, tz, min_articles,"
                " (SELECT count(*) FROM campaign_week w WHERE w.campaign_id = c.id) AS weeks"
                " FROM campaign c ORDER BY start_date, id"
            )
        )
    ]
