namespace Specific.Jobs.Storage;

/// <summary>The job store's SQLite schema history. Append only: an applied step is never edited; a step only adds (expand, see README "Upgrade and rollback").</summary>
public static class SqliteMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "jobs, threads and request keys", """
            CREATE TABLE jobs (
                id                  TEXT PRIMARY KEY,
                service             TEXT NOT NULL,
                environment         TEXT NOT NULL,
                command             TEXT NOT NULL,
                name                TEXT,
                origin_client       TEXT NOT NULL,
                origin_team_id      TEXT,
                origin_channel_id   TEXT,
                origin_user_id      TEXT,
                origin_user_name    TEXT,
                rerun_of            TEXT,
                state               TEXT NOT NULL CHECK (state IN ('pending', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
                version             INTEGER NOT NULL,
                -- Instants are UTC microseconds since the Unix epoch.
                created_at          INTEGER NOT NULL,
                queued_at           INTEGER,
                running_at          INTEGER,
                finished_at         INTEGER,
                exit_code           INTEGER,
                failure_reason      TEXT,
                kubernetes_job_name TEXT,
                namespace           TEXT,
                image               TEXT,
                notes               TEXT NOT NULL DEFAULT '[]',
                -- Bumped from the file's highest on every write, under the write lock: watchers read changes in commit order.
                change_seq          INTEGER NOT NULL
            );
            CREATE INDEX jobs_recent ON jobs (created_at DESC, id DESC);
            CREATE INDEX jobs_recent_by_service ON jobs (service, created_at DESC, id DESC);
            CREATE INDEX jobs_unfinished ON jobs (created_at DESC, id DESC) WHERE state IN ('pending', 'queued', 'running');
            CREATE UNIQUE INDEX jobs_change_seq ON jobs (change_seq);

            CREATE TABLE job_threads (
                job_id           TEXT PRIMARY KEY,
                -- Null until the thread keeper saves a cursor: a lease may be taken before the first post.
                channel_id       TEXT,
                message_ts       TEXT,
                rendered_version INTEGER NOT NULL DEFAULT 0,
                posted_state     TEXT,
                posted_log_line  INTEGER NOT NULL DEFAULT 0,
                final_posted     INTEGER NOT NULL DEFAULT 0,
                lease_owner      TEXT,
                lease_until      INTEGER
            );
            CREATE INDEX job_threads_open ON job_threads (job_id) WHERE channel_id IS NOT NULL AND final_posted = 0;

            CREATE TABLE request_keys (
                key     TEXT PRIMARY KEY,
                seen_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX request_keys_seen_at ON request_keys (seen_at);
            """),
        new(2, "audit trail", """
            CREATE TABLE audit_entries (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                -- UTC microseconds since the Unix epoch, as every instant here.
                at           INTEGER NOT NULL,
                action       TEXT NOT NULL CHECK (action IN ('run', 'rerun', 'confirm', 'cancel', 'audit')),
                outcome      TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused', 'confirmation_requested')),
                environment  TEXT NOT NULL,
                service      TEXT,
                job_id       TEXT,
                team_id      TEXT,
                user_id      TEXT,
                channel_id   TEXT,
                command_text TEXT,
                rule         TEXT,
                detail       TEXT
            );
            CREATE INDEX audit_entries_recent ON audit_entries (environment, at DESC, id DESC);
            CREATE INDEX audit_entries_recent_by_service ON audit_entries (environment, service, at DESC, id DESC);
            -- Finding a service's unfinished jobs is what a run-alone start checks under the write lock.
            CREATE INDEX jobs_unfinished_by_service ON jobs (environment, service) WHERE state IN ('pending', 'queued', 'running');
            """),
        // SQLite cannot change a CHECK constraint in place: the table is rebuilt with its rows (and ids) kept.
        new(3, "audit trail keeps log reads", """
            CREATE TABLE audit_entries_v3 (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                at           INTEGER NOT NULL,
                action       TEXT NOT NULL CHECK (action IN ('run', 'rerun', 'confirm', 'cancel', 'audit', 'logs')),
                outcome      TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused', 'confirmation_requested')),
                environment  TEXT NOT NULL,
                service      TEXT,
                job_id       TEXT,
                team_id      TEXT,
                user_id      TEXT,
                channel_id   TEXT,
                command_text TEXT,
                rule         TEXT,
                detail       TEXT
            );
            INSERT INTO audit_entries_v3 (id, at, action, outcome, environment, service, job_id, team_id, user_id, channel_id, command_text, rule, detail)
                SELECT id, at, action, outcome, environment, service, job_id, team_id, user_id, channel_id, command_text, rule, detail FROM audit_entries;
            DROP TABLE audit_entries;
            ALTER TABLE audit_entries_v3 RENAME TO audit_entries;
            CREATE INDEX audit_entries_recent ON audit_entries (environment, at DESC, id DESC);
            CREATE INDEX audit_entries_recent_by_service ON audit_entries (environment, service, at DESC, id DESC);
            """),
        new(4, "thread post intents", """
            -- A reply saved before it is posted (JSON of ThreadPostIntent): a post whose cursor save failed is looked up, not repeated.
            ALTER TABLE job_threads ADD COLUMN pending_post TEXT;
            """),
        new(5, "recorded cancel and create requests", """
            -- A cancel a person was told about outlives a crash; a restart delivers it.
            ALTER TABLE jobs ADD COLUMN cancel_requested_at INTEGER;
            ALTER TABLE jobs ADD COLUMN cancel_requested_by TEXT;
            -- Set before the Kubernetes Job is created: a resumed flow then looks the Job up and never creates it twice.
            ALTER TABLE jobs ADD COLUMN create_requested_at INTEGER;
            """),
        new(6, "job time limits", """
            -- activeDeadlineSeconds of the job's Kubernetes Job; null on rows written before limits existed.
            ALTER TABLE jobs ADD COLUMN timeout_seconds INTEGER;
            """),
        new(7, "requester notices", """
            -- A person's choice of a direct message when a long job of theirs ends (/specific notify on|off); no row: on.
            CREATE TABLE notify_preferences (
                user_id       TEXT PRIMARY KEY,
                dm_on_job_end INTEGER NOT NULL CHECK (dm_on_job_end IN (0, 1)),
                updated_at    INTEGER NOT NULL
            ) WITHOUT ROWID;
            -- Claimed before the message is sent: a job's end is told by direct message at most once.
            CREATE TABLE job_end_dms (
                job_id     TEXT PRIMARY KEY,
                claimed_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        new(8, "retention", """
            -- When retention deleted the job's log lines; a job is deleted only after its lines.
            ALTER TABLE jobs ADD COLUMN logs_pruned_at INTEGER;
            CREATE INDEX jobs_ended ON jobs (finished_at, id) WHERE state IN ('succeeded', 'failed', 'cancelled');
            CREATE INDEX jobs_logs_to_prune ON jobs (finished_at, id)
                WHERE state IN ('succeeded', 'failed', 'cancelled') AND logs_pruned_at IS NULL;
            CREATE INDEX audit_entries_at ON audit_entries (at, id);
            """),
        // Widening audit_entries' CHECKs rebuilds the table as step 3 did: same columns, same ids, one transaction.
        new(9, "four-eyes approvals", """
            -- Who approved the run; null when no approval was needed.
            ALTER TABLE jobs ADD COLUMN approved_by TEXT;
            -- A run waiting for a second person, with everything needed to start it after a restart.
            CREATE TABLE approvals (
                id                  TEXT PRIMARY KEY,
                state               TEXT NOT NULL CHECK (state IN ('waiting', 'approved', 'denied', 'withdrawn', 'expired')),
                service             TEXT NOT NULL,
                environment         TEXT NOT NULL,
                requester_id        TEXT NOT NULL,
                request             TEXT NOT NULL,
                reply_response_url  TEXT,
                reply_channel_id    TEXT,
                reply_user_id       TEXT NOT NULL,
                rule                TEXT NOT NULL,
                message_channel_id  TEXT,
                message_ts          TEXT,
                created_at          INTEGER NOT NULL,
                expires_at          INTEGER NOT NULL,
                decided_by          TEXT,
                decided_at          INTEGER,
                job_id              TEXT,
                settled_at          INTEGER,
                version             INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX approvals_waiting ON approvals (expires_at) WHERE state = 'waiting';
            CREATE INDEX approvals_unsettled ON approvals (decided_at) WHERE state <> 'waiting' AND settled_at IS NULL;
            CREATE INDEX approvals_settled ON approvals (decided_at) WHERE settled_at IS NOT NULL;
            CREATE TABLE audit_entries_v9 (
                id           INTEGER PRIMARY KEY AUTOINCREMENT,
                at           INTEGER NOT NULL,
                action       TEXT NOT NULL CHECK (action IN ('run', 'rerun', 'confirm', 'cancel', 'audit', 'logs', 'approve', 'deny', 'withdraw', 'expire')),
                outcome      TEXT NOT NULL CHECK (outcome IN ('allowed', 'refused', 'confirmation_requested', 'approval_requested')),
                environment  TEXT NOT NULL,
                service      TEXT,
                job_id       TEXT,
                team_id      TEXT,
                user_id      TEXT,
                channel_id   TEXT,
                command_text TEXT,
                rule         TEXT,
                detail       TEXT
            );
            INSERT INTO audit_entries_v9 (id, at, action, outcome, environment, service, job_id, team_id, user_id, channel_id, command_text, rule, detail)
                SELECT id, at, action, outcome, environment, service, job_id, team_id, user_id, channel_id, command_text, rule, detail FROM audit_entries;
            DROP TABLE audit_entries;
            ALTER TABLE audit_entries_v9 RENAME TO audit_entries;
            CREATE INDEX audit_entries_recent ON audit_entries (environment, at DESC, id DESC);
            CREATE INDEX audit_entries_recent_by_service ON audit_entries (environment, service, at DESC, id DESC);
            CREATE INDEX audit_entries_at ON audit_entries (at, id);
            """),
        new(10, "saved tasks", """
            -- The saved task (Tasks:<service>:<task>) a job ran; null for a free command and for rows written before tasks.
            ALTER TABLE jobs ADD COLUMN task TEXT;
            """),
    ];
}
