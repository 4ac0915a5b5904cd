namespace Specific.Jobs.Storage;

/// <summary>The job store's PostgreSQL schema history. Append only: an applied step is never edited; a step only adds (expand, see README "Upgrade and rollback").</summary>
public static class PostgresMigrations
{
    /// <summary>The steps, with <c>{schema}</c> standing for the quoted schema name.</summary>
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "jobs, threads and request keys", """
            CREATE TABLE {schema}.jobs (
                id                  text PRIMARY KEY,
                service             text NOT NULL,
                environment         text NOT NULL,
                command             text NOT NULL,
                name                text,
                origin_client       text NOT NULL,
                origin_team_id      text,
                origin_channel_id   text,
                origin_user_id      text,
                origin_user_name    text,
                rerun_of            text,
                state               text NOT NULL CHECK (state IN ('pending', 'queued', 'running', 'succeeded', 'failed', 'cancelled')),
                version             bigint NOT NULL,
                created_at          timestamptz NOT NULL,
                queued_at           timestamptz,
                running_at          timestamptz,
                finished_at         timestamptz,
                exit_code           integer,
                failure_reason      text,
                kubernetes_job_name text,
                namespace           text,
                image               text,
                notes               text[] NOT NULL DEFAULT '{}',
                -- The database's clock at the last write: what a watcher catches up from after a reconnect.
                updated_at          timestamptz NOT NULL
            );
            CREATE INDEX jobs_recent ON {schema}.jobs (created_at DESC, id DESC);
            CREATE INDEX jobs_recent_by_service ON {schema}.jobs (service, created_at DESC, id DESC);
            CREATE INDEX jobs_unfinished ON {schema}.jobs (created_at DESC, id DESC)
                WHERE state IN ('pending', 'queued', 'running');
            CREATE INDEX jobs_updated ON {schema}.jobs (updated_at, id);

            CREATE TABLE {schema}.job_threads (
                job_id           text PRIMARY KEY,
                -- Null until the thread keeper saves a cursor: a lease may be taken before the first post.
                channel_id       text,
                message_ts       text,
                rendered_version bigint NOT NULL DEFAULT 0,
                posted_state     text,
                posted_log_line  bigint NOT NULL DEFAULT 0,
                final_posted     boolean NOT NULL DEFAULT false,
                lease_owner      text,
                lease_until      timestamptz
            );
            CREATE INDEX job_threads_open ON {schema}.job_threads (job_id)
                WHERE channel_id IS NOT NULL AND NOT final_posted;

            CREATE TABLE {schema}.request_keys (
                key     text PRIMARY KEY,
                seen_at timestamptz NOT NULL
            );
            CREATE INDEX request_keys_seen_at ON {schema}.request_keys (seen_at);
            """),
        new(2, "audit trail", """
            CREATE TABLE {schema}.audit_entries (
                id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at           timestamptz NOT NULL,
                action       text NOT NULL CHECK (action IN ('run', 'rerun', 'confirm', 'cancel', 'audit')),
                outcome      text NOT NULL CHECK (outcome IN ('allowed', 'refused', 'confirmation_requested')),
                environment  text NOT NULL,
                service      text,
                job_id       text,
                team_id      text,
                user_id      text,
                channel_id   text,
                command_text text,
                rule         text,
                detail       text
            );
            CREATE INDEX audit_entries_recent ON {schema}.audit_entries (environment, at DESC, id DESC);
            CREATE INDEX audit_entries_recent_by_service ON {schema}.audit_entries (environment, service, at DESC, id DESC);
            -- Finding a service's unfinished jobs is what a run-alone start checks under its lock.
            CREATE INDEX jobs_unfinished_by_service ON {schema}.jobs (environment, service)
                WHERE state IN ('pending', 'queued', 'running');
            """),
        new(3, "audit trail keeps log reads", """
            ALTER TABLE {schema}.audit_entries DROP CONSTRAINT audit_entries_action_check;
            ALTER TABLE {schema}.audit_entries ADD CONSTRAINT audit_entries_action_check
                CHECK (action IN ('run', 'rerun', 'confirm', 'cancel', 'audit', 'logs'));
            """),
        new(4, "thread post intents", """
            -- A reply saved before it is posted (JSON of ThreadPostIntent): a post whose cursor save failed is looked up, not repeated.
            ALTER TABLE {schema}.job_threads ADD COLUMN pending_post text;
            """),
        new(5, "recorded cancel and create requests", """
            -- A cancel a person was told about outlives a crash; a restart delivers it.
            ALTER TABLE {schema}.jobs ADD COLUMN cancel_requested_at timestamptz;
            ALTER TABLE {schema}.jobs ADD COLUMN cancel_requested_by text;
            -- Set before the Kubernetes Job is created: a resumed flow then looks the Job up and never creates it twice.
            ALTER TABLE {schema}.jobs ADD COLUMN create_requested_at timestamptz;
            """),
        new(6, "store heartbeat", """
            -- Readiness upserts one row per replica: a server that answers reads but refuses writes is not ready.
            CREATE TABLE {schema}.store_heartbeat (probe text PRIMARY KEY, at timestamptz NOT NULL);
            """),
        new(7, "job time limits", """
            -- activeDeadlineSeconds of the job's Kubernetes Job; null on rows written before limits existed.
            ALTER TABLE {schema}.jobs ADD COLUMN timeout_seconds bigint;
            """),
        new(8, "requester notices", """
            -- A person's choice of a direct message when a long job of theirs ends (/specific notify on|off); no row: on.
            CREATE TABLE {schema}.notify_preferences (
                user_id       text PRIMARY KEY,
                dm_on_job_end boolean NOT NULL,
                updated_at    timestamptz NOT NULL
            );
            -- Claimed before the message is sent: a job's end is told by direct message at most once.
            CREATE TABLE {schema}.job_end_dms (
                job_id     text PRIMARY KEY,
                claimed_at timestamptz NOT NULL
            );
            """),
        new(9, "retention", """
            -- When retention deleted the job's log lines; a job is deleted only after its lines.
            ALTER TABLE {schema}.jobs ADD COLUMN logs_pruned_at timestamptz;
            CREATE INDEX jobs_ended ON {schema}.jobs (finished_at, id) WHERE state IN ('succeeded', 'failed', 'cancelled');
            CREATE INDEX jobs_logs_to_prune ON {schema}.jobs (finished_at, id)
                WHERE state IN ('succeeded', 'failed', 'cancelled') AND logs_pruned_at IS NULL;
            CREATE INDEX audit_entries_at ON {schema}.audit_entries (at, id);
            """),
        new(10, "four-eyes approvals", """
            -- Who approved the run; null when no approval was needed.
            ALTER TABLE {schema}.jobs ADD COLUMN approved_by text;
            -- A run waiting for a second person, with everything needed to start it after a restart.
            CREATE TABLE {schema}.approvals (
                id                  text PRIMARY KEY,
                state               text NOT NULL CHECK (state IN ('waiting', 'approved', 'denied', 'withdrawn', 'expired')),
                service             text NOT NULL,
                environment         text NOT NULL,
                requester_id        text NOT NULL,
                request             text NOT NULL,
                reply_response_url  text,
                reply_channel_id    text,
                reply_user_id       text NOT NULL,
                rule                text NOT NULL,
                message_channel_id  text,
                message_ts          text,
                created_at          timestamptz NOT NULL,
                expires_at          timestamptz NOT NULL,
                decided_by          text,
                decided_at          timestamptz,
                job_id              text,
                settled_at          timestamptz,
                version             bigint NOT NULL
            );
            CREATE INDEX approvals_waiting ON {schema}.approvals (expires_at) WHERE state = 'waiting';
            CREATE INDEX approvals_unsettled ON {schema}.approvals (decided_at) WHERE state <> 'waiting' AND settled_at IS NULL;
            CREATE INDEX approvals_settled ON {schema}.approvals (decided_at) WHERE settled_at IS NOT NULL;
            -- Wider CHECKs, replaced in the same transaction: every row an older release writes still passes.
            ALTER TABLE {schema}.audit_entries DROP CONSTRAINT audit_entries_action_check;
            ALTER TABLE {schema}.audit_entries ADD CONSTRAINT audit_entries_action_check
                CHECK (action IN ('run', 'rerun', 'confirm', 'cancel', 'audit', 'logs', 'approve', 'deny', 'withdraw', 'expire'));
            ALTER TABLE {schema}.audit_entries DROP CONSTRAINT audit_entries_outcome_check;
            ALTER TABLE {schema}.audit_entries ADD CONSTRAINT audit_entries_outcome_check
                CHECK (outcome IN ('allowed', 'refused', 'confirmation_requested', 'approval_requested'));
            """),
        new(11, "saved tasks", """
            -- The saved task (Tasks:<service>:<task>) a job ran; null for a free command and for rows written before tasks.
            ALTER TABLE {schema}.jobs ADD COLUMN task text;
            """),
    ];
}
