"""Declared fields: what a listing or report shows, as ``Field(key, label, kind)``.

(A listing's field is shown as a column of its table; the word ``Column`` is kept for the
domain's 栏目, ``submissions.Column``, and a 栏目's web page is ``pages.ColumnPage``.)
Each report declares its own fields (``reports.SCOREBOARD``, ``checks.QUOTA``, …): the key
is the JSON key and CSV header (the stable contract), the label is what people read (a message id,
translated when shown), the kind says how a value reads in a human format (``table``, ``md``,
``xlsx``): instants to the minute in local time, booleans 是/否, status values by name.
The columns below are the ones several reports share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from svcmonth.i18n import N_, _, is_chinese


@dataclass(frozen=True)
class Field:
    """One field of a listing (a column of its table, a key of its JSON): key, label (message
    id), kind (how people read its values). Not a 栏目: that is ``submissions.Column``."""

    key: str
    label: str
    kind: str = "text"  # text|int|bool|instant|date|list|map|eligible|<vocabulary>
    group: str | None = None  # a workbook's two-row header groups columns under this label

    @property
    def heading(self) -> str:
        """The label in this invocation's language."""
        return _(self.label)


# Value names per vocabulary (the interface language): the kind of a status column names one.
VALUES: dict[str, dict[str, str]] = {
    "deadline_status": {
        "on_time": N_("on time"),
        "late": N_("late"),
        "missing": N_("missing"),
        "pending": N_("not yet due"),
    },
    "grade_status": {
        "pending": N_("pending"),
        "graded": N_("graded"),
        "rejected": N_("rejected"),
        "withdrawn": N_("withdrawn"),
    },
    "quota_status": {
        "met": N_("met"),
        "at_risk": N_("at risk"),
        "failed": N_("failed"),
    },
    "remind_status": {
        "would_send": N_("would send"),
        "sent": N_("sent"),
        "already_sent": N_("already sent"),
        "no_address": N_("no address"),
        "failed": N_("sending failed"),
    },
    "check_status": {"ok": N_("ok"), "problem": N_("PROBLEM")},
    "intake_status": {
        "ready": N_("ready"),
        "unmatched": N_("unmatched"),
        "needs_column": N_("needs column"),
        "no_campaign": N_("no campaign"),
        "ignored": N_("ignored"),
        "accepted": N_("accepted"),
        "needs_review": N_("needs review"),
        "unreadable": N_("unreadable"),
    },
    "arrival_source": {
        "internaldate": N_("mail server"),
        "received": N_("Received header"),
        "date": N_("sender's Date"),
        "read": N_("time read"),
    },
    "submission_kind": {"report": N_("weekly report"), "article": N_("article")},
    "channel": {"mail": N_("e-mail"), "wecom": N_("WeCom"), "dingtalk": N_("DingTalk")},
    "notice_event": {
        "graded": N_("graded"),
        "rejected": N_("rejected"),
        "adopted": N_("adopted"),
        "forwarded": N_("forwarded"),
        "endorsed": N_("endorsed"),
    },
    "reminder_kind": {"report": N_("weekly report"), "quota": N_("article minimum")},
    "column_kind": {
        "report": N_("weekly report"),
        "article": N_("article"),
        "association": N_("association"),
    },
    "audit_action": {
        "create": N_("created"),
        "edit": N_("changed"),
        "activate": N_("reactivated"),
        "deactivate": N_("deactivated"),
        "extend": N_("extension"),
        "withdraw": N_("withdrawn"),
        "grade": N_("graded"),
        "reject": N_("rejected"),
        "adopt": N_("adopted"),
        "forward": N_("forwarded"),
        "move_deadline": N_("deadline moved"),
        "set_rules": N_("rules changed"),
        "seed": N_("reference data loaded"),
        "grade_auto": N_("graded by the rule"),
        "grade_clear": N_("grade cleared"),
        "adopt_undo": N_("adoption undone"),
        "endorse": N_("endorsed"),
        "endorse_undo": N_("endorsement undone"),
        "settings": N_("settings changed"),
        "restore": N_("restored"),
        "rename": N_("renamed"),
        "delete": N_("deleted"),
        "import": N_("imported"),
        "receive": N_("mail received"),
        "accept": N_("accepted"),
        "assign": N_("assigned"),
        "remember": N_("sender remembered"),
        "ignore": N_("ignored"),
        "review": N_("set aside for review"),
        "receipt": N_("receipt"),
        "release": N_("released"),
    },
    "entity": {
        "member": N_("member"),
        "submission": N_("submission"),
        "campaign": N_("campaign"),
        "column_def": N_("column"),
        "outlet": N_("outlet"),
        "body": N_("body"),
        "database": N_("database"),
        "campaign_week": N_("campaign week"),
        "intake": N_("inbox entry"),
        "inbox_sender": N_("sender"),
        "reminder": N_("reminder"),
        "survey": N_("survey"),
        "setting": N_("setting"),
    },
    "doctor_check": {
        "integrity": N_("integrity"),
        "foreign_keys": N_("references"),
        "schema": N_("schema version"),
        "sqlite": N_("SQLite version"),
        "journal_mode": N_("journal mode"),
        "permissions": N_("file permissions"),
        "smtp": N_("SMTP settings"),
        "reminders": N_("reminders stuck in sending"),
        "attachments": N_("mail attachments"),
        "receipts": N_("receipts stuck in sending"),
    },
}


def value_name(kind: str, value: Any) -> str:
    """How a status value reads for people (the value itself when it has no name)."""
    name = VALUES.get(kind, {}).get(str(value))
    return _(name) if name else str(value)


def _field_kind(key: str, value: Any) -> str:
    """How an audit entry's field reads: a ``status`` is a submission's grade status, or an
    intake entry's (``ready``, ``needs_review``, …) when the value is one of those."""
    kind = FIELD_KINDS.get(key, _kind_of(value))
    if kind == "grade_status" and str(value) not in VALUES[kind]:
        if str(value) in VALUES["intake_status"]:
            return "intake_status"
    return kind


def human(value: Any, kind: str = "text") -> str:
    """A value as people read it in a table, Markdown or a workbook cell."""
    if value is None:
        return ""
    if kind == "fields" and isinstance(value, dict):  # an audit entry's changed fields
        shown = [
            f"{field_label(k)} {human(v, _field_kind(k, v))}"
            for k, v in value.items()
            if v not in (None, "")
        ]
        return ("，" if is_chinese() else ", ").join(shown)
    if kind == "eligible":
        return _("yes") if value else _("not eligible")
    if isinstance(value, bool) or (kind == "bool" and isinstance(value, int)):
        return _("yes") if value else _("no")
    if kind in ("instant", "arrival") and isinstance(value, str):  # 12:00:30 is late
        return minute(value)
    if isinstance(value, (list, tuple)):
        return ("、" if is_chinese() else ", ").join(human(v) for v in value)
    if isinstance(value, dict):
        return ("，" if is_chinese() else ", ").join(f"{k} {human(v)}" for k, v in value.items())
    if kind in VALUES:
        return value_name(kind, value)
    if kind == "first_line":  # a message's first line after the salutation
        lines = [line for line in str(value).splitlines() if line.strip()]
        if len(lines) > 1 and lines[0].rstrip().endswith((":", "：")):
            lines = lines[1:]
        return lines[0].strip() if lines else ""
    if kind == "setting" and isinstance(value, str):
        return value_name("setting", value) if value in SETTINGS else value
    return str(value)


_SECONDS = re.compile(r":(\d\d)(?:\.(\d+))?")
_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d|Z)")


def words(value: Any, kind: str = "text") -> str:
    """A value inside a sentence (a confirmation, a message): never a Python literal.

    ``kind`` ``level``: ``level 2`` or ``not graded``; ``on_time``: ``on time``, ``late`` or
    ``no deadline``; else a boolean is yes/no and nothing is ``none``, the rest as ``human``.
    """
    if kind == "level":
        return _("level {n}").format(n=value) if value is not None else _("not graded")
    if kind == "on_time":
        if value is None:
            return _("no deadline")
        return value_name("deadline_status", "on_time" if value else "late")
    if value is None:
        return _("none")
    return human(value, kind)


def minute(text: str) -> str:
    """``2023-07-17T09:40:00+08:00`` → ``2023-07-17 09:40`` (local time, to the minute), to
    the second when the seconds are not zero (``12:00:30``: a report that reached the server
    after a 12:00 deadline must not read 12:00), with the fraction when there is one."""
    if len(text) >= 16 and text[10] in "T " and text[13] == ":":
        shown = text[:10] + " " + text[11:16]
        seconds = _SECONDS.match(text, 16)
        if seconds is not None:
            fraction = (seconds.group(2) or "").rstrip("0")
            if seconds.group(1) != "00" or fraction:
                shown += ":" + seconds.group(1) + ("." + fraction if fraction else "")
        return shown
    return text


def _kind_of(value: Any) -> str:
    """A changed field's kind from its value: an instant (local ISO) reads as one."""
    return "instant" if isinstance(value, str) and _INSTANT.fullmatch(value) else "text"


SETTINGS = {
    "name": N_("Campaign"),
    "start": N_("First day"),
    "end": N_("Last day"),
    "tz": N_("Time zone"),
    "min_articles": N_("Article minimum"),
    "deadline_weekday": N_("Deadline weekday"),
    "deadline_time": N_("Deadline time"),
    "on_time_level": N_("Level on time"),
    "late_level": N_("Level late"),
    "adoption_level": N_("Level when adopted"),
    "adoption_multiplier": N_("Adoption multiplier"),
    "endorsement_points": N_("Points per endorsement"),
    "points": N_("Points per level"),
    "doubling_outlets": N_("Doubling outlets"),
}
VALUES["setting"] = SETTINGS
VALUES["weekday"] = {
    "monday": N_("Monday"),
    "tuesday": N_("Tuesday"),
    "wednesday": N_("Wednesday"),
    "thursday": N_("Thursday"),
    "friday": N_("Friday"),
    "saturday": N_("Saturday"),
    "sunday": N_("Sunday"),
}

FIELDS = {
    "grade": N_("Grade"),
    "outlet": N_("Outlet"),
    "adopted_on": N_("Adopted on"),
    "body": N_("Forwarded to"),
    "forwarded_on": N_("Forwarded on"),
    "reason": N_("Reason"),
    "until": N_("Until"),
    "extended_until": N_("Extended until"),
    "campaign": N_("Campaign"),
    "start": N_("First day"),
    "end": N_("Last day"),
    "withdrawn_at": N_("Withdrawn at"),
    "source": N_("Source"),
    "since": N_("In office since"),
    "withdraw_reason": N_("Reason for withdrawal"),
    "reject_reason": N_("Reason for rejection"),
    "reattributed": N_("Submissions re-attributed"),
    "arrival_source": N_("Arrival time from"),
    "arrived_at": N_("Arrived at"),
    "from": N_("From"),
    "note": N_("Note"),
    "association": N_("Association"),
    "value": N_("Value"),
    "sender_id": N_("Sender's submission id"),
    "bundle": N_("Bundle"),
    "file": N_("File"),
    "responses": N_("Responses"),
    "endorsement_level": N_("Endorsement level"),
    "endorsed_by": N_("Endorsed by"),
    "on": N_("Date"),
}


FIELD_KINDS = {
    "status": "grade_status",
    "grade": "grade_value",
    "active": "bool",
    "arrival_source": "arrival_source",
    "arrived_at": "instant",
}
VALUES["grade_value"] = {
    "pending": N_("pending"),
    "rule": N_("by the rule"),
    "rejected": N_("rejected"),
    "manual": N_("by hand"),
}


def field_label(key: str) -> str:
    """A changed field's name for people (an audit entry)."""
    if key in FIELDS:
        return _(FIELDS[key])
    found = _SHARED.get(key)
    if found is not None:
        return found.heading
    return _(SETTINGS[key]) if key in SETTINGS else key


RANK = Field("rank", N_("Rank"), "int")
MEMBER = Field("member", N_("Member code"))
NAME = Field("name", N_("Member name"))
OFFICER = Field("officer", N_("Publicity officer"))
PHONE = Field("phone", N_("Phone"))
EMAIL = Field("email", N_("E-mail"))
CATEGORY = Field("category", N_("Category"))
ACTIVE = Field("active", N_("Registered"), "bool")
CAMPAIGNS = Field("campaigns", N_("Campaigns"), "list")
COLUMN = Field("column", N_("Column"))
KIND = Field("kind", N_("Kind"), "submission_kind")
TITLE = Field("title", N_("Title"))
AUTHOR = Field("author", N_("Author"))
SUBMITTED_AT = Field("submitted_at", N_("Submitted at"), "instant")
WEEK = Field("week", N_("Week"), "int")
DEADLINE = Field("deadline", N_("Deadline"), "instant")
LEVEL = Field("level", N_("Level"), "int")
POINTS = Field("points", N_("Points"), "int")
ADOPTED = Field("adopted", N_("Adopted"), "int")
ADOPTED_BY = Field("adopted_by", N_("Adopted by"), "list")
ENDORSED = Field("endorsed", N_("Endorsed"), "int")
ENDORSED_BY = Field("endorsed_by", N_("Endorsed by"), "list")
ADOPTION_RATE = Field("adoption_rate", N_("Adoption rate (%)"), "decimal")
ARTICLES = Field("articles", N_("Articles"), "int")
REQUIRED = Field("required", N_("Required"), "int")
SHORTFALL = Field("shortfall", N_("Shortfall"), "int")
REPORTS_ON_TIME = Field("reports_on_time", N_("Weeks reported on time"), "int")
REPORTS_LATE = Field("reports_late", N_("Weeks reported late"), "int")
REPORTS_MISSING = Field("reports_missing", N_("Weeks not reported"), "int")
WEEKS = Field("weeks", N_("Report weeks"), "int")
QUOTA_MET = Field("quota_met", N_("Article minimum met"), "bool")
ELIGIBLE = Field("eligible", N_("Eligible"), "eligible")
SUBMISSIONS = Field("submissions", N_("Number of submissions"), "int")
TO = Field("to", N_("To"))
SUBJECT = Field("subject", N_("Subject"))

# Columns met in listings that declare only keys (a command written before its report
# declared columns still shows labels); a declared column always wins.
_SHARED = {
    c.key: c
    for c in (
        RANK,
        MEMBER,
        NAME,
        OFFICER,
        PHONE,
        EMAIL,
        CATEGORY,
        ACTIVE,
        CAMPAIGNS,
        COLUMN,
        KIND,
        TITLE,
        AUTHOR,
        SUBMITTED_AT,
        WEEK,
        DEADLINE,
        LEVEL,
        POINTS,
        ADOPTED,
        ADOPTED_BY,
        ARTICLES,
        REQUIRED,
        SHORTFALL,
        REPORTS_ON_TIME,
        REPORTS_LATE,
        REPORTS_MISSING,
        WEEKS,
        QUOTA_MET,
        ELIGIBLE,
        SUBMISSIONS,
        TO,
        SUBJECT,
        Field("id", N_("ID"), "int"),
        Field("code", N_("Member code")),
        Field("on_time", N_("On time"), "bool"),
        Field("url", N_("Link")),
        Field("submission", N_("Submission"), "int"),
        Field("status", N_("Status")),
    )
}


def resolve(columns: Sequence[Field | str]) -> list[Field]:
    """Declared columns as given; a bare key becomes its shared column, else the key itself."""
    return [c if isinstance(c, Field) else _SHARED.get(c, Field(c, c, "text")) for c in columns]


def header_aliases(columns: Sequence[Field]) -> dict[str, str]:
    """Header names an import accepts for each column besides its key: the label in Chinese
    (``单位代码``) and in English (lower case), whatever the interface language."""
    from svcmonth.i18n import catalog

    zh = catalog("zh_CN")
    out: dict[str, str] = {}
    for c in columns:
        out[zh.gettext(c.label).strip().lower()] = c.key
        out[c.label.strip().lower()] = c.key
    return out


def keys(columns: Sequence[Field | str]) -> tuple[str, ...]:
    return tuple(c.key if isinstance(c, Field) else c for c in columns)
