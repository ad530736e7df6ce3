"""The demo database: the 2023 plan's campaign with a dozen member banks and a month of work.

``build_demo`` goes through the same domain functions the clerk's commands use, so the demo
shows real behaviour: some reports late, some missing, an officer change, grades, adoptions
and a forwarding. ``build_large`` makes a big deterministic database for benchmarks with
bulk inserts (same schema, same rules, no per-row checks).
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from svcmonth import campaigns, grading, members, refdata, submissions, timeutil
from svcmonth.storage import transaction

CAMPAIGN = "2023文明优质服务月"
START, END = date(2023, 7, 11), date(2023, 8, 11)

ARTICLE_TITLES = {
    "先进事迹": [
        "{short}营业部开展“六公约一承诺”宣传路演",
        "{short}网点推出爱心窗口服务老年客户",
        "{short}开展金融知识进社区活动",
        "{short}延时服务解决客户排队难题",
    ],
    "感动人物": ["{short}大堂经理{officer}十年如一日热情服务", "{short}柜员拾金不昧获客户赠送锦旗"],
    "学习体会": ["学习银行业“六公约一承诺”心得体会", "践行文明规范服务 提升客户满意度"],
    "看图话服务": ["图片新闻:{short}营业网点LED屏滚动播放服务宣传标语", "组图:{short}服务路演现场"],
}


def _short(name: str) -> str:
    return name.replace("内蒙古分行", "").replace("呼和浩特分行", "").replace("中国", "")


def _at(day: date, hour: int, minute: int, tz: Any) -> datetime:
    return timeutil.local_to_utc(datetime.combine(day, time(hour, minute)), tz)


def _not_before(conn: sqlite3.Connection, sid: int, day: date, tz: ZoneInfo) -> date:
    """``day``, or two days after the submission arrived when that is later (rule 13)."""
    stored = conn.execute("SELECT submitted_at FROM submission WHERE id = ?", (sid,)).fetchone()[0]
    arrived = timeutil.from_db(stored).astimezone(tz).date()
    return max(day, arrived + timedelta(days=2))


def build_demo(conn: sqlite3.Connection, seed: int = 2023) -> campaigns.Campaign:
    """Fill a new database with the demo campaign (one transaction)."""
    rng = random.Random(seed)
    tz = timeutil.zone(campaigns.DEFAULT_TZ)
    setup = _at(date(2023, 7, 5), 9, 0, tz)
    with transaction(conn):
        refdata.seed(conn, timeutil.to_db(setup))
        c = campaigns.create(conn, CAMPAIGN, START, END, setup)
        roster = refdata.read_csv("demo_members.csv")
        for row in roster:
            members.add(conn, row["code"], {k: row[k] for k in members.FIELDS}, setup)
        # an officer hands over in week 3: later submissions name the new one
        members.edit(
            conn,
            "BOC",
            {"officer": "黄蕾", "email": "huanglei@boc.example.cn"},
            _at(date(2023, 7, 24), 8, 30, tz),
        )
        ids: list[int] = []
        for i, row in enumerate(roster):
            code, short = row["code"], _short(row["name"])
            diligence = 1.0 - i / (len(roster) + 2)  # earlier banks are more diligent
            for w in c.weeks:
                due = w.deadline.astimezone(tz)
                roll = rng.random()
                if roll > diligence + 0.15:
                    continue  # missing
                if roll > diligence - 0.1:
                    sent = due + timedelta(hours=rng.choice([2, 5, 26]))  # late
                else:
                    sent = due - timedelta(hours=rng.choice([3, 20, 50]), minutes=rng.randrange(60))
                ids.append(
                    submissions.submit(
                        conn,
                        c,
                        code,
                        "活动扫描",
                        f"{short}服务月活动第{w.number}周动态",
                        sent.astimezone(UTC),
                        sent.astimezone(UTC),
                        week=w.number,
                    )
                )
            n_articles = max(0, round(diligence * 5) - rng.randrange(2))
            for k in range(n_articles):
                column = rng.choice(list(ARTICLE_TITLES))
                title = rng.choice(ARTICLE_TITLES[column]).format(
                    short=short, officer=row["officer"]
                )
                day = START + timedelta(days=rng.randrange((END - START).days + 3))
                sent = _at(day, rng.randrange(8, 18), rng.randrange(60), tz)
                ids.append(
                    submissions.submit(conn, c, code, column, f"{title}({k + 1})", sent, sent)
                )
        after = _at(date(2023, 8, 15), 9, 0, tz)
        articles = [
            r[0]
            for r in conn.execute("SELECT id FROM submission WHERE kind = 'article' ORDER BY id")
        ]
        grading.set_level(conn, articles[0], 3, after)
        grading.set_level(conn, articles[3], 1, after)
        grading.reject(conn, articles[-1], "与服务月主题无关", after)
        grading.auto(conn, c, after)
        grading.adopt(
            conn,
            articles[1],
            "中国银行业协会网站",
            _not_before(conn, articles[1], date(2023, 7, 20), tz),
            after,
        )
        grading.adopt(
            conn,
            articles[1],
            "银监分局简报",
            _not_before(conn, articles[1], date(2023, 7, 22), tz),
            after,
        )
        grading.adopt(
            conn,
            articles[5],
            "银行视窗",
            _not_before(conn, articles[5], date(2023, 7, 28), tz),
            after,
        )
        grading.adopt(
            conn,
            articles[8],
            "银监分局简报",
            _not_before(conn, articles[8], date(2023, 8, 2), tz),
            after,
        )
        grading.forward(conn, articles[1], "中国银行业协会", date(2023, 7, 25), after)
    return campaigns.load(conn, CAMPAIGN)


def build_large(
    conn: sqlite3.Connection, n_members: int, n_submissions: int, seed: int = 2023
) -> campaigns.Campaign:
    """A big deterministic database for benchmarks: ``n_members`` banks, ``n_submissions``
    submissions spread over the 2023 campaign, a mix of grades and some adoptions."""
    rng = random.Random(seed)
    tz = timeutil.zone(campaigns.DEFAULT_TZ)
    setup = _at(date(2023, 7, 5), 9, 0, tz)
    at = timeutil.to_db(setup)
    with transaction(conn):
        refdata.seed(conn, at)
        c = campaigns.create(conn, CAMPAIGN, START, END, setup)
        conn.executemany(
            "INSERT INTO member (id, code, name, category, created_at) VALUES (?, ?, ?, ?, ?)",
            ((i, f"M{i:05d}", f"会员银行{i:05d}", "演示", at) for i in range(1, n_members + 1)),
        )
        conn.executemany(
            "INSERT INTO officer (member_id, name, phone, email, since) VALUES (?, ?, ?, ?, ?)",
            (
                (i, f"宣传员{i:05d}", f"139{i:08d}", f"officer{i}@bank.example.cn", at)
                for i in range(1, n_members + 1)
            ),
        )
        start = timeutil.from_db(c.start_utc)
        span = int((c.weeks[-1].deadline - start).total_seconds()) + 86400
        columns = list(ARTICLE_TITLES)
        grades = ("pending", "rule", "rule", "rule", "manual", "rejected")

        def rows() -> Any:
            for n in range(n_submissions):
                member = rng.randrange(1, n_members + 1)
                sent = timeutil.to_db(start + timedelta(seconds=rng.randrange(span)))
                grade = grades[rng.randrange(len(grades))]
                level = rng.randrange(1, 4) if grade == "manual" else None
                if n % 4 == 0:
                    yield (
                        c.id,
                        member,
                        "活动扫描",
                        "report",
                        f"周报{n}",
                        sent,
                        rng.randrange(1, len(c.weeks) + 1),
                        grade,
                        level,
                        at,
                    )
                else:
                    yield (
                        c.id,
                        member,
                        rng.choice(columns),
                        "article",
                        f"稿件{n}",
                        sent,
                        None,
                        grade,
                        level,
                        at,
                    )

        conn.executemany(
            "INSERT INTO submission (campaign_id, member_id, column_name, kind, title,"
            " submitted_at, week, grade, manual_level, logged_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(),
        )
        conn.execute(
            "INSERT INTO adoption (submission_id, outlet, adopted_on, recorded_at)"
            " SELECT id, '中国银行业协会网站', '2023-08-01', ? FROM submission"
            " WHERE id % 50 = 0 AND grade <> 'rejected'",
            (at,),
        )
    conn.execute("ANALYZE")
    return campaigns.load(conn, CAMPAIGN)


DEMO_AS_OF = datetime(2023, 8, 15, 4, 0, tzinfo=UTC)  # 2023-08-15 12:00 +08:00: all weeks due
