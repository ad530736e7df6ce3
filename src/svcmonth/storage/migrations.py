"""The schema, as an append-only numbered list of migrations. Never edit an applied one.

``PRAGMA user_version`` holds the number of migrations applied; ``storage.connect`` applies
the pending ones, each in its own transaction, every time a database is opened, and
refuses a file whose version is higher than this list (written by a newer svcmonth).
Derived figures (on time, level, status, points) are never stored: the views of
``svcmonth.rules`` compute them on every read. The views are not part of any migration after
m003: ``storage.connect`` recreates them from ``rules.VIEWS`` whenever they differ.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one, inside the caller's transaction.

    (``executescript`` would commit first, breaking the one-transaction-per-migration rule.)
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement[:60]!r}")


def m001_initial(conn: sqlite3.Connection) -> None:
    # the views (every derived figure, computed when read) are not frozen here: they live in
    # svcmonth.rules, and storage.connect creates them once the migrations have run
    run_script(
        conn,
        """
        CREATE TABLE campaign (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
            start_date TEXT NOT NULL CHECK (date(start_date) IS start_date),
            end_date TEXT NOT NULL CHECK (date(end_date) IS end_date),
            tz TEXT NOT NULL CHECK (length(tz) > 0),
            -- first day 00:00 local, as UTC: start_date and tz never change after creation
            start_utc TEXT NOT NULL,
            min_articles INTEGER NOT NULL DEFAULT 3 CHECK (min_articles >= 0),
            deadline_weekday INTEGER NOT NULL DEFAULT 0 CHECK (deadline_weekday BETWEEN 0 AND 6),
            deadline_time TEXT NOT NULL DEFAULT '12:00:00',
            on_time_level INTEGER NOT NULL DEFAULT 2 CHECK (on_time_level IN (1, 2, 3)),
            late_level INTEGER NOT NULL DEFAULT 1 CHECK (late_level IN (1, 2, 3)),
            adoption_level INTEGER NOT NULL DEFAULT 3 CHECK (adoption_level IN (1, 2, 3)),
            adoption_multiplier INTEGER NOT NULL DEFAULT 2 CHECK (adoption_multiplier >= 1),
            created_at TEXT NOT NULL,
            CHECK (end_date >= start_date)
        );

        CREATE TABLE campaign_points (
            campaign_id INTEGER NOT NULL REFERENCES campaign(id),
            level INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
            points INTEGER NOT NULL CHECK (points >= 0),
            PRIMARY KEY (campaign_id, level)
        ) WITHOUT ROWID;

        CREATE TABLE campaign_week (
            campaign_id INTEGER NOT NULL REFERENCES campaign(id),
            week INTEGER NOT NULL CHECK (week >= 1),
            first_day TEXT NOT NULL,
            last_day TEXT NOT NULL CHECK (last_day >= first_day),
            ends_at TEXT NOT NULL,
            default_deadline TEXT NOT NULL,
            deadline TEXT NOT NULL,
            PRIMARY KEY (campaign_id, week)
        ) WITHOUT ROWID;

        CREATE TABLE column_def (
            name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
            kind TEXT NOT NULL CHECK (kind IN ('report', 'article', 'association')),
            description TEXT NOT NULL DEFAULT '',
            sort INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE outlet (
            name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
            doubling_default INTEGER NOT NULL DEFAULT 0 CHECK (doubling_default IN (0, 1)),
            description TEXT NOT NULL DEFAULT ''
        );

        CREATE TABLE campaign_doubling_outlet (
            campaign_id INTEGER NOT NULL REFERENCES campaign(id),
            outlet TEXT NOT NULL REFERENCES outlet(name),
            PRIMARY KEY (campaign_id, outlet)
        ) WITHOUT ROWID;

        CREATE TABLE body (
            name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0)
        );

        CREATE TABLE member (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE CHECK (length(code) > 0 AND code = trim(code)),
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            category TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        );

        -- officer history: one open row (until IS NULL) per member is the current officer
        CREATE TABLE officer (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES member(id),
            name TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            since TEXT NOT NULL,
            until TEXT,
            CHECK (until IS NULL OR until >= since)
        );
        CREATE UNIQUE INDEX officer_current ON officer(member_id) WHERE until IS NULL;

        CREATE TABLE submission (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaign(id),
            member_id INTEGER NOT NULL REFERENCES member(id),
            column_name TEXT NOT NULL REFERENCES column_def(name),
            kind TEXT NOT NULL CHECK (kind IN ('report', 'article')),
            title TEXT NOT NULL CHECK (length(trim(title)) > 0),
            submitted_at TEXT NOT NULL CHECK (length(submitted_at) = 20),
            week INTEGER,
            author TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            grade TEXT NOT NULL DEFAULT 'pending'
                CHECK (grade IN ('pending', 'rule', 'manual', 'rejected')),
            manual_level INTEGER CHECK (manual_level IN (1, 2, 3)),
            reject_reason TEXT,
            withdrawn_at TEXT,
            logged_at TEXT NOT NULL,
            CHECK ((kind = 'report') = (week IS NOT NULL)),
            CHECK ((grade = 'manual') = (manual_level IS NOT NULL)),
            FOREIGN KEY (campaign_id, week) REFERENCES campaign_week(campaign_id, week)
        );
        -- covering indexes for the per-member aggregates of checks and reports
        CREATE INDEX submission_member_kind
            ON submission(campaign_id, member_id, kind, submitted_at, grade, withdrawn_at);
        CREATE INDEX submission_report_week
            ON submission(campaign_id, member_id, week, submitted_at)
            WHERE kind = 'report' AND grade <> 'rejected' AND withdrawn_at IS NULL;

        CREATE TABLE deadline_extension (
            campaign_id INTEGER NOT NULL,
            member_id INTEGER NOT NULL REFERENCES member(id),
            week INTEGER NOT NULL,
            until TEXT NOT NULL,
            PRIMARY KEY (campaign_id, member_id, week),
            FOREIGN KEY (campaign_id, week) REFERENCES campaign_week(campaign_id, week)
        ) WITHOUT ROWID;

        CREATE TABLE adoption (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submission(id),
            outlet TEXT NOT NULL REFERENCES outlet(name),
            adopted_on TEXT NOT NULL CHECK (date(adopted_on) IS adopted_on),
            recorded_at TEXT NOT NULL,
            UNIQUE (submission_id, outlet)
        );

        CREATE TABLE forwarding (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submission(id),
            body TEXT NOT NULL REFERENCES body(name),
            forwarded_on TEXT NOT NULL CHECK (date(forwarded_on) IS forwarded_on),
            recorded_at TEXT NOT NULL,
            UNIQUE (submission_id, body)
        );

        -- each reminder actually sent; the unique key makes "never twice" a constraint
        CREATE TABLE reminder (
            id INTEGER PRIMARY KEY,
            campaign_id INTEGER NOT NULL REFERENCES campaign(id),
            member_id INTEGER NOT NULL REFERENCES member(id),
            kind TEXT NOT NULL CHECK (kind IN ('report', 'quota')),
            week INTEGER,
            key TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            UNIQUE (campaign_id, member_id, kind, key)
        );

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            before TEXT CHECK (before IS NULL OR json_valid(before)),
            after TEXT CHECK (after IS NULL OR json_valid(after))
        );
        CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

        -- nothing that carries a grade (or could) is deleted outright: withdraw instead
        CREATE TRIGGER submission_never_deleted BEFORE DELETE ON submission
        BEGIN SELECT RAISE(ABORT, 'submissions are never deleted; withdraw instead'); END;
        CREATE TRIGGER member_never_deleted BEFORE DELETE ON member
        BEGIN SELECT RAISE(ABORT, 'members are never deleted; deactivate instead'); END;
        CREATE TRIGGER adoption_never_deleted BEFORE DELETE ON adoption
        BEGIN SELECT RAISE(ABORT, 'adoptions are never deleted'); END;
        CREATE TRIGGER audit_log_append_only BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

        """,
    )


def m002_reminder_status(conn: sqlite3.Connection) -> None:
    """A reminder row is first a claim (``sending``), then a record (``sent``).

    ``remind --send`` inserts the row before it talks to the SMTP server and marks it ``sent``
    afterwards, so that two overlapping runs cannot both send it (the unique key refuses the
    second claim). Rows written before this migration were sent.
    """
    run_script(
        conn,
        """
        ALTER TABLE reminder ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'
            CHECK (status IN ('sending', 'sent'));
        """,
    )


def m003_faster_eval_view(conn: sqlite3.Connection) -> None:
    """The same ``submission_eval`` (same columns, same values), 5x faster on a million rows.

    m001's view is flattened into the query that reads it, so its correlated subqueries (the
    adoption EXISTS, the last week's deadline, the points of a level) ran several times a row.
    Here each is a join on a small table computed once per query: ``c`` (a campaign's settings,
    its window end and points per level; ``LIMIT -1`` keeps it from being flattened) and ``dd``
    (the submissions a doubling outlet of their campaign adopted, once). The covering index adds
    ``week`` and ``manual_level`` so the per-member sums read the index alone. Measured in
    benchmarks/RESULTS.md: report scoreboard 6.8 s -> 1.2 s at 1,000,000 submissions. It ends
    with ANALYZE: with statistics older than the new index, a query took minutes.
    """
    run_script(
        conn,
        """
        -- (its faster submission_eval now lives in svcmonth.rules: views are not frozen in
        -- migrations; files that ran this migration before are the same after m004)

        DROP INDEX submission_member_kind;

        CREATE INDEX submission_member_eval
            ON submission(campaign_id, member_id, kind, submitted_at, grade, withdrawn_at, week,
                          manual_level);

        -- statistics gathered before this index existed make the planner pick a plan that
        -- takes minutes on a million rows; fresh ones for every table and index
        ANALYZE;
        """,
    )


def m004_corrections(conn: sqlite3.Connection) -> None:
    """Corrections (issue 10): a withdrawal's reason; an adoption can be undone (audited); the
    views move out of the migrations into ``svcmonth.rules``, which ``storage.connect``
    recreates whenever the schema version rises or the rules change."""
    run_script(
        conn,
        """
        ALTER TABLE submission ADD COLUMN withdraw_reason TEXT;
        DROP TRIGGER adoption_never_deleted;
        DROP VIEW IF EXISTS submission_eval;
        -- the officer in office at a submission's instant is looked up on every read
        CREATE INDEX officer_member_since ON officer(member_id, since);
        """,
    )


def m005_inbox(conn: sqlite3.Connection) -> None:
    """Mail intake (``inbox``): one entry per message read, its attachments, the senders the
    clerk mapped to a member, where each IMAP folder was read up to, and the receipts sent.

    ``intake.message_key`` (the Message-ID, else ``sha256:`` of the message) makes "each
    message once" a constraint. ``attachment`` is the contract the website pages read:
    ``path`` is relative to the ``attachments/`` folder beside the database. A ``receipt``
    row is first a claim (``sending``), then a record (``sent``), as reminders are.
    """
    run_script(
        conn,
        """
        CREATE TABLE intake (
            id INTEGER PRIMARY KEY,
            message_key TEXT NOT NULL UNIQUE CHECK (length(message_key) > 0),
            message_id TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL CHECK (source IN ('imap', 'file')),
            origin TEXT NOT NULL,
            sender TEXT NOT NULL DEFAULT '' CHECK (sender = lower(sender)),
            sender_name TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL DEFAULT '',
            arrived_at TEXT NOT NULL CHECK (length(arrived_at) = 20),
            arrival_source TEXT NOT NULL
                CHECK (arrival_source IN ('internaldate', 'received', 'date')),
            sent_at TEXT CHECK (sent_at IS NULL OR length(sent_at) = 20),
            member_id INTEGER REFERENCES member(id),
            member_by TEXT CHECK (member_by IN ('address', 'remembered', 'assigned')),
            column_name TEXT REFERENCES column_def(name),
            column_by TEXT CHECK (column_by IN ('subject', 'assigned')),
            campaign_id INTEGER REFERENCES campaign(id),
            week INTEGER CHECK (week IS NULL OR week >= 1),
            week_from_subject INTEGER NOT NULL DEFAULT 0 CHECK (week_from_subject IN (0, 1)),
            title TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL CHECK (status IN
                ('ready', 'unmatched', 'needs_column', 'no_campaign', 'ignored', 'accepted')),
            note TEXT NOT NULL DEFAULT '',
            submission_id INTEGER UNIQUE REFERENCES submission(id),
            ack INTEGER NOT NULL DEFAULT 0 CHECK (ack IN (0, 1)),
            read_at TEXT NOT NULL CHECK (length(read_at) = 20),
            CHECK ((status = 'accepted') = (submission_id IS NOT NULL)),
            CHECK ((member_id IS NULL) = (member_by IS NULL)),
            CHECK ((column_name IS NULL) = (column_by IS NULL))
        );
        CREATE INDEX intake_status ON intake(status, id);

        CREATE TABLE attachment (
            id INTEGER PRIMARY KEY,
            intake_id INTEGER NOT NULL REFERENCES intake(id),
            submission_id INTEGER REFERENCES submission(id), -- set on accept
            file_name TEXT NOT NULL CHECK (length(file_name) > 0), -- decoded, safe, shown
            path TEXT NOT NULL UNIQUE CHECK (substr(path, 1, 1) <> '/'), -- under attachments/
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL CHECK (size >= 0),
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64)
        );
        CREATE INDEX attachment_intake ON attachment(intake_id);
        CREATE INDEX attachment_submission ON attachment(submission_id)
            WHERE submission_id IS NOT NULL;

        -- addresses the clerk mapped to a member (inbox assign --remember)
        CREATE TABLE inbox_sender (
            address TEXT PRIMARY KEY CHECK (address = lower(address) AND instr(address, '@') > 1),
            member_id INTEGER NOT NULL REFERENCES member(id),
            remembered_at TEXT NOT NULL
        ) WITHOUT ROWID;

        -- how far each IMAP folder was read: UIDs above last_uid are new while the folder's
        -- UIDVALIDITY stays the same
        CREATE TABLE imap_state (
            mailbox TEXT PRIMARY KEY CHECK (length(mailbox) > 0),
            uidvalidity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL CHECK (last_uid >= 0),
            read_at TEXT NOT NULL
        ) WITHOUT ROWID;

        -- the receipt of each accepted submission; the unique key makes "never twice" a
        -- constraint (claimed as 'sending' before the SMTP server is talked to)
        CREATE TABLE receipt (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL UNIQUE REFERENCES submission(id),
            intake_id INTEGER NOT NULL REFERENCES intake(id),
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('sending', 'sent')),
            sent_at TEXT NOT NULL
        );

        CREATE TRIGGER intake_never_deleted BEFORE DELETE ON intake
        BEGIN SELECT RAISE(ABORT, 'intake entries are never deleted; ignore instead'); END;
        """,
    )


def m006_survey(conn: sqlite3.Connection) -> None:
    """调查问卷: a survey tool's export, stored as exported so a user can query it.

    ``answer`` keeps each answered cell as the tool wrote it (the question-type rule reads
    it); ``answer_choice`` is the same cell split into its options (``┋`` or ``→``, in order)
    with any text typed into an "other" option (``〖…〗``). A question's type and every tally
    are computed when read, so a later import of more responses changes them at once.
    """
    run_script(
        conn,
        """
        CREATE TABLE survey (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
            campaign_id INTEGER REFERENCES campaign(id),
            source TEXT NOT NULL,  -- the file name of the first import
            created_at TEXT NOT NULL
        );
        CREATE INDEX survey_campaign ON survey(campaign_id);

        CREATE TABLE survey_question (
            survey_id INTEGER NOT NULL REFERENCES survey(id),
            number INTEGER NOT NULL CHECK (number >= 1),
            text TEXT NOT NULL,  -- without its `N、` prefix
            PRIMARY KEY (survey_id, number)
        ) WITHOUT ROWID;

        CREATE TABLE response (
            id INTEGER PRIMARY KEY,
            survey_id INTEGER NOT NULL REFERENCES survey(id),
            -- what makes a response the same one on a re-import: its 序号, else
            -- 'sha256:' and the digest of the row's cells
            identity TEXT NOT NULL CHECK (length(identity) > 0),
            serial INTEGER CHECK (serial IS NULL OR serial >= 0),  -- 序号
            submitted_at TEXT  -- 提交答卷时间, as UTC
                CHECK (submitted_at IS NULL OR submitted_at LIKE '____-__-__T__:__:__Z'),
            duration TEXT,       -- 所用时间, as exported (e.g. '95秒')
            source TEXT,         -- 来源
            source_detail TEXT,  -- 来源详情
            ip TEXT,             -- 来自IP
            score REAL,          -- 总分 (quizzes)
            UNIQUE (survey_id, identity)
        );
        CREATE INDEX response_submitted ON response(survey_id, submitted_at);

        CREATE TABLE answer (
            response_id INTEGER NOT NULL REFERENCES response(id),
            survey_id INTEGER NOT NULL,
            question INTEGER NOT NULL,
            text TEXT NOT NULL CHECK (length(trim(text)) > 0),  -- only answered questions
            PRIMARY KEY (response_id, question),
            FOREIGN KEY (survey_id, question) REFERENCES survey_question(survey_id, number)
        ) WITHOUT ROWID;
        CREATE INDEX answer_question ON answer(survey_id, question);

        CREATE TABLE answer_choice (
            response_id INTEGER NOT NULL,
            question INTEGER NOT NULL,
            position INTEGER NOT NULL CHECK (position >= 1),  -- the rank, for a ranking
            option TEXT NOT NULL,
            other TEXT CHECK (other IS NULL OR length(other) > 0),  -- typed in 〖…〗
            PRIMARY KEY (response_id, question, position),
            FOREIGN KEY (response_id, question) REFERENCES answer(response_id, question)
        ) WITHOUT ROWID;
        """,
    )


# the width checks of stored instants, as the migrations before m006 wrote them
_WHOLE_SECOND_CHECKS = (
    (re.compile(r"length\((\w+_at)\) = 20\b"), r"length(\1) = 27"),
    (re.compile(r"LIKE '____-__-__T__:__:__Z'"), "LIKE '____-__-__T__:__:__.______Z'"),
)
_WHOLE_SECOND = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z"


def m007_instant_fractions(conn: sqlite3.Connection) -> None:
    """Instants keep their fraction: every stored instant becomes ``…T04:00:00.000000Z``.

    Until now instants were stored to the second, so an extension to 12:00:00.900 became
    12:00:00 and a report at 12:00:00.5 was late. SQL compares instants as text, which is right
    only when every one has the same width: so every whole-second instant in every table
    (found by its exact shape, whichever migration made the table) gets ``.000000``, and every
    width check of an instant column (``length(x_at) = 20``, ``LIKE '…T__:__:__Z'``) is
    rewritten for the new width in place: the documented ``writable_schema`` way for a CHECK
    change (no row can fail the new check after the update below; rebuilding the tables would
    mean dropping and recreating every view and trigger on them).
    """
    changed = []
    for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
    ).fetchall():
        new_sql = sql
        for pattern, replacement in _WHOLE_SECOND_CHECKS:
            new_sql = pattern.sub(replacement, new_sql)
        if new_sql != sql:
            changed.append((new_sql, name))
    if changed:
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        conn.execute("PRAGMA writable_schema = ON")
        try:
            conn.executemany(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", changed
            )
            conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
        finally:
            conn.execute("PRAGMA writable_schema = OFF")
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        for name, kind in conn.execute(
            "SELECT name, type FROM pragma_table_info(?)", (table,)
        ).fetchall():
            if kind.upper() not in ("TEXT", ""):
                continue
            conn.execute(
                f'UPDATE "{table}" SET "{name}" = substr("{name}", 1, 19) || \'.000000Z\''  # noqa: S608 (names from the schema)
                f' WHERE "{name}" GLOB ?',
                (_WHOLE_SECOND,),
            )


def m008_intake_review(conn: sqlite3.Connection) -> None:
    """Intake never stalls: an entry may be ``unreadable`` (the message could not be read; its
    raw bytes are kept as its one attachment) or ``needs_review`` (``inbox accept`` could not
    log it; the reason is in its ``note``), and an unreadable message that says nowhere when
    it arrived has ``arrival_source`` ``read`` (the time svcmonth read it).

    Both CHECKs only widen, so no row can fail them: the documented ``writable_schema`` way
    (as m007), not a rebuild of a table other tables and a trigger refer to.
    """
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'intake'"
    ).fetchone()
    sql = str(row[0])
    new_sql = sql.replace(
        "'ignored', 'accepted')", "'ignored', 'accepted', 'unreadable', 'needs_review')", 1
    ).replace(
        "('internaldate', 'received', 'date')", "('internaldate', 'received', 'date', 'read')", 1
    )
    if new_sql == sql or "'needs_review'" not in new_sql or "'read')" not in new_sql:
        raise RuntimeError("m008: the intake table is not as m005 made it")
    version = conn.execute("PRAGMA schema_version").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'intake'",
            (new_sql,),
        )
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


def m009_endorsements(conn: sqlite3.Connection) -> None:
    """批示 (issue 24): a leader's endorsement of a submission, once per leader (``by``), with
    its level (free text such as 省部级) and day; and the campaign's ``endorsement_points``,
    what each endorsement adds to a submission's points (0: the plan's numbers unchanged)."""
    run_script(
        conn,
        """
        CREATE TABLE endorsements (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submission(id),
            by TEXT NOT NULL CHECK (by <> ''),
            level TEXT NOT NULL,
            endorsed_on TEXT NOT NULL CHECK (date(endorsed_on) IS endorsed_on),
            recorded_at TEXT NOT NULL,
            UNIQUE (submission_id, by)
        );
        ALTER TABLE campaign ADD COLUMN endorsement_points INTEGER NOT NULL DEFAULT 0
            CHECK (endorsement_points >= 0);
        """,
    )


def m010_documents(conn: sqlite3.Connection) -> None:
    """Documents (通报, 会员动态) and typed attachments: the database-wide settings (the
    association's name for 落款 and 制表单位), a campaign's public title (``''``: its name),
    and attachments of typed submissions (``submit --attach``), which came by no mail:
    ``attachment.intake_id`` becomes optional (the table is rebuilt, its rows kept)."""
    run_script(
        conn,
        """
        CREATE TABLE setting (
            key TEXT PRIMARY KEY CHECK (length(key) > 0),
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        ALTER TABLE campaign ADD COLUMN title TEXT NOT NULL DEFAULT '';

        CREATE TABLE attachment_new (
            id INTEGER PRIMARY KEY,
            intake_id INTEGER REFERENCES intake(id), -- NULL: attached by hand (submit --attach)
            submission_id INTEGER REFERENCES submission(id),
            file_name TEXT NOT NULL CHECK (length(file_name) > 0),
            path TEXT NOT NULL UNIQUE CHECK (substr(path, 1, 1) <> '/'),
            content_type TEXT NOT NULL,
            size INTEGER NOT NULL CHECK (size >= 0),
            sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
            CHECK (intake_id IS NOT NULL OR submission_id IS NOT NULL)
        );
        INSERT INTO attachment_new
            (id, intake_id, submission_id, file_name, path, content_type, size, sha256)
            SELECT id, intake_id, submission_id, file_name, path, content_type, size, sha256
            FROM attachment;
        DROP TABLE attachment;
        ALTER TABLE attachment_new RENAME TO attachment;
        CREATE INDEX attachment_intake ON attachment(intake_id);
        CREATE INDEX attachment_submission ON attachment(submission_id)
            WHERE submission_id IS NOT NULL;
        """,
    )


def m011_survey_real(conn: sqlite3.Connection) -> None:
    """Real survey exports (issue 20): a question's fixed ``type`` and matrix rows.

    ``survey_question.type`` is null when the type is inferred from the answers on every
    read (the old rule); it holds the type when the export's shape decides it (``matrix``,
    an option-per-column ``multiple``) or the clerk gave ``survey import --type N=…``.
    A matrix question (``第2题(服务态度)``, ``第2题(等候时间)``) keeps its rows in
    ``survey_matrix_row`` and each response's choice per row in ``matrix_answer``.
    """
    run_script(
        conn,
        """
        ALTER TABLE survey_question ADD COLUMN type TEXT
            CHECK (type IS NULL OR type IN ('single', 'multiple', 'ranking', 'text',
                                             'scale', 'matrix'));

        CREATE TABLE survey_matrix_row (
            survey_id INTEGER NOT NULL,
            number INTEGER NOT NULL,
            row INTEGER NOT NULL CHECK (row >= 1),  -- its place in the export, left to right
            text TEXT NOT NULL,
            PRIMARY KEY (survey_id, number, row),
            FOREIGN KEY (survey_id, number) REFERENCES survey_question(survey_id, number)
        ) WITHOUT ROWID;

        CREATE TABLE matrix_answer (
            response_id INTEGER NOT NULL REFERENCES response(id),
            survey_id INTEGER NOT NULL,
            question INTEGER NOT NULL,
            row INTEGER NOT NULL,
            option TEXT NOT NULL CHECK (length(trim(option)) > 0),
            PRIMARY KEY (response_id, question, row),
            FOREIGN KEY (survey_id, question, row)
                REFERENCES survey_matrix_row(survey_id, number, row)
        ) WITHOUT ROWID;
        CREATE INDEX matrix_answer_question ON matrix_answer(survey_id, question);
        """,
    )


def m012_notices(conn: sqlite3.Connection) -> None:
    """Results notices (``notify results``, issue 23): each fact about a submission told to
    its officer, once per channel (``mail``/``wecom``/``dingtalk``). ``fact`` is the event
    with its current value (``graded:level=3``, ``adopted:人民日报``), so a changed fact is
    a new notice; a row is first a claim (``sending``), then a record (``sent``)."""
    run_script(
        conn,
        """
        CREATE TABLE notice (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submission(id),
            event TEXT NOT NULL,
            fact TEXT NOT NULL,
            channel TEXT NOT NULL,
            recipient TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('sending', 'sent')),
            sent_at TEXT NOT NULL,
            UNIQUE (submission_id, fact, channel)
        );
        """,
    )


def m013_bundles(conn: sqlite3.Connection) -> None:
    """报送包 (issue 25): where an imported submission came from. ``bundle import`` logs each
    article of another association's 报送包 once: a submission is identified by the sending
    association's name (the manifest's ``association``) and its id there, so a bundle
    imported twice, or two bundles carrying the same article, add it once."""
    run_script(
        conn,
        """
        CREATE TABLE origin (
            submission_id INTEGER PRIMARY KEY REFERENCES submission(id),
            association TEXT NOT NULL CHECK (length(association) > 0),
            sender_id INTEGER NOT NULL CHECK (sender_id > 0),
            bundle TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            UNIQUE (association, sender_id)
        );
        """,
    )


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_reminder_status,
    m003_faster_eval_view,
    m004_corrections,
    m005_inbox,
    m006_survey,
    m007_instant_fractions,
    m008_intake_review,
    m009_endorsements,
    m010_documents,
    m011_survey_real,
    m012_notices,
    m013_bundles,
]
