-- Per-user limits on the routes that spend money (services/limits.py). The counters live in Postgres so
-- every API container (each Lambda, or `reelsmith serve`) shares the same count.

-- One row per user and action: the current fixed window and how many requests it has seen.
CREATE TABLE rate_counters (
    user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    action       text NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL,
    PRIMARY KEY (user_id, action)
);

-- The concurrency cap counts a user's unfinished jobs on every job start.
CREATE INDEX jobs_user_active ON jobs (user_id) WHERE status IN ('queued', 'running', 'paused');
