-- a database as svcmonth's first release (schema version 1, commit 7669f3d201c07d6ae84cccdc2d9c88b9e9f6ffe9) wrote it;
-- frozen: never regenerate it with later code
BEGIN TRANSACTION;
CREATE TABLE adoption (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submission(id),
            outlet TEXT NOT NULL REFERENCES outlet(name),
            adopted_on TEXT NOT NULL CHECK (date(adopted_on) IS adopted_on),
            recorded_at TEXT NOT NULL,
            UNIQUE (submission_id, outlet)
        );
INSERT INTO "adoption" VALUES(1,1,'中国银行业协会网站','2023-07-20','2023-07-05T01:00:00Z');
CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            before TEXT CHECK (before IS NULL OR json_valid(before)),
            after TEXT CHECK (after IS NULL OR json_valid(after))
        );
INSERT INTO "audit_log" VALUES(1,'2023-07-05T01:00:00Z','seed','database','',NULL,'{"source": "data/"}');
INSERT INTO "audit_log" VALUES(2,'2023-07-05T01:00:00Z','create','campaign','2023服务月',NULL,'{"start": "2023-07-11", "end": "2023-08-11"}');
INSERT INTO "audit_log" VALUES(3,'2023-07-05T01:00:00Z','create','member','ICBC',NULL,'{"code": "ICBC", "name": "中国工商银行内蒙古分行", "officer": "王丽", "phone": "", "email": "wangli@icbc.example.cn", "category": "", "active": true}');
INSERT INTO "audit_log" VALUES(4,'2023-07-05T01:00:00Z','adopt','submission','1','{"status": "pending", "level": null, "points": 0, "outlet": null, "adopted_on": null}','{"status": "graded", "level": 3, "points": 6, "outlet": "中国银行业协会网站", "adopted_on": "2023-07-20"}');
INSERT INTO "audit_log" VALUES(5,'2023-07-05T01:00:00Z','grade_auto','submission','1','{"status":"pending","level":null,"points":0,"grade":"pending"}','{"status":"graded","grade":"rule","level":2}');
INSERT INTO "audit_log" VALUES(6,'2023-07-05T01:00:00Z','grade_auto','submission','2','{"status":"pending","level":null,"points":0,"grade":"pending"}','{"status":"graded","grade":"rule","level":2}');
CREATE TABLE body (
            name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0)
        );
INSERT INTO "body" VALUES('中国银行业协会');
INSERT INTO "body" VALUES('内蒙古银行业协会');
INSERT INTO "body" VALUES('银监分局');
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
INSERT INTO "campaign" VALUES(1,'2023服务月','2023-07-11','2023-08-11','Asia/Shanghai','2023-07-10T16:00:00Z',3,0,'12:00:00',2,1,3,2,'2023-07-05T01:00:00Z');
CREATE TABLE campaign_doubling_outlet (
            campaign_id INTEGER NOT NULL REFERENCES campaign(id),
            outlet TEXT NOT NULL REFERENCES outlet(name),
            PRIMARY KEY (campaign_id, outlet)
        ) WITHOUT ROWID;
INSERT INTO "campaign_doubling_outlet" VALUES(1,'中国银行业协会网站');
INSERT INTO "campaign_doubling_outlet" VALUES(1,'银监分局简报');
CREATE TABLE campaign_points (
            campaign_id INTEGER NOT NULL REFERENCES campaign(id),
            level INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
            points INTEGER NOT NULL CHECK (points >= 0),
            PRIMARY KEY (campaign_id, level)
        ) WITHOUT ROWID;
INSERT INTO "campaign_points" VALUES(1,1,1);
INSERT INTO "campaign_points" VALUES(1,2,2);
INSERT INTO "campaign_points" VALUES(1,3,3);
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
INSERT INTO "campaign_week" VALUES(1,1,'2023-07-11','2023-07-16','2023-07-16T16:00:00Z','2023-07-17T04:00:00Z','2023-07-17T04:00:00Z');
INSERT INTO "campaign_week" VALUES(1,2,'2023-07-17','2023-07-23','2023-07-23T16:00:00Z','2023-07-24T04:00:00Z','2023-07-24T04:00:00Z');
INSERT INTO "campaign_week" VALUES(1,3,'2023-07-24','2023-07-30','2023-07-30T16:00:00Z','2023-07-31T04:00:00Z','2023-07-31T04:00:00Z');
INSERT INTO "campaign_week" VALUES(1,4,'2023-07-31','2023-08-06','2023-08-06T16:00:00Z','2023-08-07T04:00:00Z','2023-08-07T04:00:00Z');
INSERT INTO "campaign_week" VALUES(1,5,'2023-08-07','2023-08-11','2023-08-11T16:00:00Z','2023-08-14T04:00:00Z','2023-08-14T04:00:00Z');
CREATE TABLE column_def (
            name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
            kind TEXT NOT NULL CHECK (kind IN ('report', 'article', 'association')),
            description TEXT NOT NULL DEFAULT '',
            sort INTEGER NOT NULL DEFAULT 0
        );
INSERT INTO "column_def" VALUES('活动扫描','report','会员单位每周一12:00前上报上周活动情况(周报)',0);
INSERT INTO "column_def" VALUES('先进事迹','article','服务月期间涌现出的先进事迹',1);
INSERT INTO "column_def" VALUES('感动人物','article','典型人物',2);
INSERT INTO "column_def" VALUES('学习体会','article','学习贯彻"六公约一承诺"的体会',3);
INSERT INTO "column_def" VALUES('看图话服务','article','图片信息',4);
INSERT INTO "column_def" VALUES('银行业文明示范单位','association','协会栏目:文明规范服务示范单位',5);
INSERT INTO "column_def" VALUES('活动部署','association','协会栏目:活动部署',6);
INSERT INTO "column_def" VALUES('调查问卷','association','协会栏目:调查问卷及结果',7);
CREATE TABLE deadline_extension (
            campaign_id INTEGER NOT NULL,
            member_id INTEGER NOT NULL REFERENCES member(id),
            week INTEGER NOT NULL,
            until TEXT NOT NULL,
            PRIMARY KEY (campaign_id, member_id, week),
            FOREIGN KEY (campaign_id, week) REFERENCES campaign_week(campaign_id, week)
        ) WITHOUT ROWID;
CREATE TABLE forwarding (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submission(id),
            body TEXT NOT NULL REFERENCES body(name),
            forwarded_on TEXT NOT NULL CHECK (date(forwarded_on) IS forwarded_on),
            recorded_at TEXT NOT NULL,
            UNIQUE (submission_id, body)
        );
CREATE TABLE member (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE CHECK (length(code) > 0 AND code = trim(code)),
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            category TEXT NOT NULL DEFAULT '',
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            created_at TEXT NOT NULL
        );
INSERT INTO "member" VALUES(1,'ICBC','中国工商银行内蒙古分行','',1,'2023-07-05T01:00:00Z');
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
INSERT INTO "officer" VALUES(1,1,'王丽','','wangli@icbc.example.cn','2023-07-05T01:00:00Z',NULL);
CREATE TABLE outlet (
            name TEXT PRIMARY KEY CHECK (length(trim(name)) > 0),
            doubling_default INTEGER NOT NULL DEFAULT 0 CHECK (doubling_default IN (0, 1)),
            description TEXT NOT NULL DEFAULT ''
        );
INSERT INTO "outlet" VALUES('中国银行业协会网站',1,'刊用按三级稿件双倍核算分值');
INSERT INTO "outlet" VALUES('银监分局简报',1,'刊用按三级稿件双倍核算分值');
INSERT INTO "outlet" VALUES('银行业协会网站',0,'协会门户网站服务月专栏');
INSERT INTO "outlet" VALUES('银行业会员动态',0,'会员动态');
INSERT INTO "outlet" VALUES('银行视窗',0,'日报"银行视窗"专栏');
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
INSERT INTO "submission" VALUES(1,1,1,'先进事迹','article','网点服务','2023-07-12T02:00:00Z',NULL,'王丽','','rule',NULL,NULL,NULL,'2023-07-05T01:00:00Z');
INSERT INTO "submission" VALUES(2,1,1,'活动扫描','report','第一周','2023-07-17T03:59:59Z',1,'王丽','','rule',NULL,NULL,NULL,'2023-07-05T01:00:00Z');
CREATE UNIQUE INDEX officer_current ON officer(member_id) WHERE until IS NULL;
CREATE INDEX submission_member_kind
            ON submission(campaign_id, member_id, kind, submitted_at, grade, withdrawn_at);
CREATE INDEX submission_report_week
            ON submission(campaign_id, member_id, week, submitted_at)
            WHERE kind = 'report' AND grade <> 'rejected' AND withdrawn_at IS NULL;
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE TRIGGER submission_never_deleted BEFORE DELETE ON submission
        BEGIN SELECT RAISE(ABORT, 'submissions are never deleted; withdraw instead'); END;
CREATE TRIGGER member_never_deleted BEFORE DELETE ON member
        BEGIN SELECT RAISE(ABORT, 'members are never deleted; deactivate instead'); END;
CREATE TRIGGER adoption_never_deleted BEFORE DELETE ON adoption
        BEGIN SELECT RAISE(ABORT, 'adoptions are never deleted'); END;
CREATE TRIGGER audit_log_append_only BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE VIEW submission_eval AS
        SELECT b.*,
            CASE
                WHEN b.withdrawn_at IS NOT NULL THEN 'withdrawn'
                WHEN b.grade = 'rejected' THEN 'rejected'
                WHEN b.doubled OR b.grade IN ('rule', 'manual') THEN 'graded'
                ELSE 'pending'
            END AS status,
            CASE
                WHEN b.withdrawn_at IS NOT NULL OR b.level IS NULL THEN 0
                ELSE (SELECT p.points FROM campaign_points p
                      WHERE p.campaign_id = b.campaign_id AND p.level = b.level)
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
                        c.adoption_multiplier,
                        CASE WHEN s.kind = 'report'
                            THEN max(w.deadline, coalesce(x.until, w.deadline))
                            ELSE (SELECT lw.deadline FROM campaign_week lw
                                  WHERE lw.campaign_id = s.campaign_id
                                  ORDER BY lw.week DESC LIMIT 1)
                        END AS deadline,
                        EXISTS (
                            SELECT 1 FROM adoption a
                            JOIN campaign_doubling_outlet dbl
                              ON dbl.campaign_id = s.campaign_id AND dbl.outlet = a.outlet
                            WHERE a.submission_id = s.id
                        ) AS doubled
                    FROM submission s
                    JOIN campaign c ON c.id = s.campaign_id
                    LEFT JOIN campaign_week w
                      ON w.campaign_id = s.campaign_id AND w.week = s.week
                    LEFT JOIN deadline_extension x
                      ON x.campaign_id = s.campaign_id AND x.member_id = s.member_id
                     AND x.week = s.week
                ) d
            ) o
        ) b;
COMMIT;
