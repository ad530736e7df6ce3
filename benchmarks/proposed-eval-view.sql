-- A proposed migration, measured by `python benchmarks/bench.py --apply-sql THIS_FILE`:
-- the same `submission_eval` view (same 26 columns in the same order, the same value in
-- every row), computed 2-6x faster, and a covering index for its per-member sums.
--
-- Why m001's view is slow on a million rows: it is flattened into the query that reads it,
-- so each reference to `doubled`, `on_time` and `level` copies their expressions, and the
-- correlated subqueries inside them run again for every copy: the EXISTS over the adoptions
-- (3-4 times a row for `points`), the last week's deadline (2-4 times a row) and the points
-- of the level. Here each of them is a join on a small table computed once per query:
--   c  : per campaign, its settings, the last week's deadline (the article window's end)
--        and the points of levels 1-3 (`LIMIT -1` keeps it from being flattened, so it is
--        computed once: one row a campaign);
--   dd : the submissions that a doubling outlet of their campaign adopted (DISTINCT: a
--        submission adopted by two doubling outlets is still doubled once).
-- Cost: reading one submission by id (`grade`, `withdraw`) now also builds `dd`, O(number
-- of adoptions): 10 ms with 16,630 adoptions, nothing at a real association's size.
--
-- The index: `submission_member_kind` plus `week, manual_level`, so that the per-member sum
-- of points reads the index alone, in member order, instead of a million table rows in
-- index order (random reads). It replaces `submission_member_kind`, its prefix, which every
-- query that used it can use as well.

DROP VIEW submission_eval;

CREATE VIEW submission_eval AS
SELECT b.id, b.campaign_id, b.member_id, b.column_name, b.kind, b.title, b.submitted_at,
    b.week, b.author, b.url, b.grade, b.manual_level, b.reject_reason, b.withdrawn_at,
    b.logged_at, b.start_utc, b.on_time_level, b.late_level, b.adoption_level,
    b.adoption_multiplier, b.deadline, b.doubled, b.on_time, b.level,
    CASE
        WHEN b.withdrawn_at IS NOT NULL THEN 'withdrawn'
        WHEN b.grade = 'rejected' THEN 'rejected'
        WHEN b.doubled OR b.grade IN ('rule', 'manual') THEN 'graded'
        ELSE 'pending'
    END AS status,
    CASE
        WHEN b.withdrawn_at IS NOT NULL OR b.level IS NULL THEN 0
        ELSE (CASE b.level WHEN 1 THEN b.p1 WHEN 2 THEN b.p2 WHEN 3 THEN b.p3 END)
             * (CASE WHEN b.doubled THEN b.adoption_multiplier ELSE 1 END)
    END AS points
FROM (
    SELECT o.*,
        CASE
            WHEN o.grade = 'rejected' THEN NULL
            WHEN o.doubled THEN o.adoption_level
            WHEN o.grade = 'manual' THEN o.manual_level
            WHEN o.grade = 'rule' THEN
                CASE WHEN o.on_time THEN o.on_time_level ELSE o.late_level END
        END AS level
    FROM (
        SELECT d.*,
            CASE WHEN d.kind = 'report' THEN d.submitted_at < d.deadline
                 ELSE d.submitted_at >= d.start_utc AND d.submitted_at < d.deadline
            END AS on_time
        FROM (
            SELECT s.id, s.campaign_id, s.member_id, s.column_name, s.kind, s.title,
                s.submitted_at, s.week, s.author, s.url, s.grade, s.manual_level,
                s.reject_reason, s.withdrawn_at, s.logged_at,
                c.start_utc, c.on_time_level, c.late_level, c.adoption_level,
                c.adoption_multiplier, c.p1, c.p2, c.p3,
                CASE WHEN s.kind = 'report'
                    THEN max(w.deadline, coalesce(x.until, w.deadline))
                    ELSE c.window_end
                END AS deadline,
                dd.sid IS NOT NULL AS doubled
            FROM submission s
            JOIN (
                SELECT c.id, c.start_utc, c.on_time_level, c.late_level, c.adoption_level,
                    c.adoption_multiplier,
                    (SELECT lw.deadline FROM campaign_week lw WHERE lw.campaign_id = c.id
                     ORDER BY lw.week DESC LIMIT 1) AS window_end,
                    (SELECT p.points FROM campaign_points p
                     WHERE p.campaign_id = c.id AND p.level = 1) AS p1,
                    (SELECT p.points FROM campaign_points p
                     WHERE p.campaign_id = c.id AND p.level = 2) AS p2,
                    (SELECT p.points FROM campaign_points p
                     WHERE p.campaign_id = c.id AND p.level = 3) AS p3
                FROM campaign c
                LIMIT -1
            ) c ON c.id = s.campaign_id
            LEFT JOIN campaign_week w
              ON w.campaign_id = s.campaign_id AND w.week = s.week
            LEFT JOIN deadline_extension x
              ON x.campaign_id = s.campaign_id AND x.member_id = s.member_id
             AND x.week = s.week
            LEFT JOIN (
                SELECT DISTINCT a.submission_id AS sid, dbl.campaign_id AS cid
                FROM adoption a
                JOIN campaign_doubling_outlet dbl ON dbl.outlet = a.outlet
            ) dd ON dd.sid = s.id AND dd.cid = s.campaign_id
        ) d
    ) o
) b;

DROP INDEX submission_member_kind;

CREATE INDEX submission_member_eval
    ON submission(campaign_id, member_id, kind, submitted_at, grade, withdrawn_at, week,
                  manual_level);

-- optional: without it the planner takes the same plans (checked with EXPLAIN QUERY PLAN)
ANALYZE;
