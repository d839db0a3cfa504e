-- Reelsmith schema: the whole product from the start.
-- Rows that own objects in storage (assets, job_assets, videos) are never removed by a cascade
-- from a project: ON DELETE RESTRICT makes the service delete the objects first, so nothing in
-- storage is orphaned by accident. Rows that own no objects cascade with their parent.

CREATE TABLE users (
    id          uuid PRIMARY KEY,
    email       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_settings (
    user_id     uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projects (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    title       text NOT NULL,
    description text NOT NULL DEFAULT '',
    brief       text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft','analyzing','analyzed','planned','rendering','ready','failed')),
    favorite    boolean NOT NULL DEFAULT false,
    current_plan_version integer,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    search      tsvector GENERATED ALWAYS AS (
                    to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, '') || ' ' || coalesce(brief, ''))
                ) STORED
);
CREATE INDEX projects_user_updated ON projects (user_id, updated_at DESC, id DESC);
CREATE INDEX projects_user_favorite ON projects (user_id) WHERE favorite;
CREATE INDEX projects_search ON projects USING gin (search);

CREATE TABLE assets (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    project_id   uuid NOT NULL REFERENCES projects(id) ON DELETE RESTRICT,
    kind         text NOT NULL CHECK (kind IN ('sample_video','character_image','audio')),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','ready','rejected','replaced')),
    object_key   text NOT NULL UNIQUE,
    content_type text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
    filename     text NOT NULL DEFAULT '',
    probe        jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz
);
CREATE INDEX assets_project ON assets (project_id, kind, created_at DESC);
CREATE INDEX assets_pending ON assets (created_at) WHERE status = 'pending';
CREATE UNIQUE INDEX assets_one_ready_per_kind ON assets (project_id, kind) WHERE status = 'ready';

CREATE TABLE analyses (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    asset_id    uuid REFERENCES assets(id) ON DELETE SET NULL,
    version     integer NOT NULL,
    report      jsonb NOT NULL,
    summary     text NOT NULL DEFAULT '',
    source      text NOT NULL DEFAULT 'signals',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, version)
);

CREATE TABLE plan_versions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    version     integer NOT NULL,
    plan        jsonb NOT NULL,
    source      text NOT NULL DEFAULT 'planner',
    note        text NOT NULL DEFAULT '',
    estimated_cost_usd numeric(10,4) NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, version)
);

CREATE TABLE chat_messages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    project_id  uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('user','assistant')),
    content     text NOT NULL,
    plan_version integer,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_messages_project ON chat_messages (project_id, created_at);

CREATE TABLE jobs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    project_id      uuid NOT NULL REFERENCES projects(id) ON DELETE RESTRICT,
    kind            text NOT NULL CHECK (kind IN ('analyze','render')),
    status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued','running','paused','succeeded','failed','cancelled')),
    stage           text NOT NULL DEFAULT 'queued',
    plan_version    integer,
    parent_job_id   uuid REFERENCES jobs(id) ON DELETE SET NULL,
    idempotency_key text,
    request_hash    text,
    execution_arn   text,
    error_code      text,
    error_message   text,
    estimated_cost_usd numeric(10,4) NOT NULL DEFAULT 0,
    stage_timings   jsonb NOT NULL DEFAULT '{}'::jsonb,
    result          jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, idempotency_key)
);
CREATE INDEX jobs_user_created ON jobs (user_id, created_at DESC, id DESC);
CREATE INDEX jobs_project ON jobs (project_id, created_at DESC);
CREATE UNIQUE INDEX jobs_one_active_per_project ON jobs (project_id, kind)
    WHERE status IN ('queued','running','paused');

CREATE TABLE job_assets (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    job_id           uuid NOT NULL REFERENCES jobs(id) ON DELETE RESTRICT,
    kind             text NOT NULL CHECK (kind IN ('video_segment','voiceover','sound_effect')),
    idx              integer NOT NULL,
    status           text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued','submitted','succeeded','failed','cancelled','reused')),
    spec             jsonb NOT NULL DEFAULT '{}'::jsonb,
    model            text,
    provider         text,
    attempts         integer NOT NULL DEFAULT 0,
    provider_task_id text,
    object_key       text,
    meta             jsonb NOT NULL DEFAULT '{}'::jsonb,
    progress         real NOT NULL DEFAULT 0,
    cost_usd         numeric(10,4) NOT NULL DEFAULT 0,
    reused_from      uuid REFERENCES job_assets(id) ON DELETE SET NULL,
    error_code       text,
    error_message    text,
    submitted_at     timestamptz,
    finished_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_id, kind, idx)
);
CREATE INDEX job_assets_job ON job_assets (job_id, kind, idx);

-- One row per paid attempt: the key (job asset, attempt) makes a retried submit find its task.
CREATE TABLE asset_attempts (
    job_asset_id     uuid NOT NULL REFERENCES job_assets(id) ON DELETE CASCADE,
    attempt          integer NOT NULL,
    provider         text NOT NULL,
    model            text NOT NULL,
    provider_task_id text,
    status           text NOT NULL DEFAULT 'submitting',
    cost_usd         numeric(10,4) NOT NULL DEFAULT 0,
    error_code       text,
    error_message    text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    PRIMARY KEY (job_asset_id, attempt)
);

CREATE TABLE videos (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    project_id       uuid NOT NULL REFERENCES projects(id) ON DELETE RESTRICT,
    job_id           uuid REFERENCES jobs(id) ON DELETE SET NULL,
    plan_version     integer,
    status           text NOT NULL DEFAULT 'ready' CHECK (status IN ('ready','expired')),
    title            text NOT NULL DEFAULT '',
    object_key       text,
    thumbnail_key    text,
    small_key        text,
    captions_key     text,
    duration_s       real NOT NULL,
    size_bytes       bigint NOT NULL,
    width            integer NOT NULL,
    height           integer NOT NULL,
    qa               jsonb NOT NULL DEFAULT '{}'::jsonb,
    models           text[] NOT NULL DEFAULT '{}',
    cost_usd         numeric(10,4) NOT NULL DEFAULT 0,
    favorite         boolean NOT NULL DEFAULT false,
    share_token_hash text UNIQUE,
    share_expires_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL
);
CREATE INDEX videos_user_created ON videos (user_id, created_at DESC, id DESC);
CREATE INDEX videos_expiry ON videos (expires_at) WHERE status = 'ready';
CREATE INDEX videos_project ON videos (project_id);

CREATE TABLE notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        text NOT NULL,
    title       text NOT NULL,
    body        text NOT NULL DEFAULT '',
    job_id      uuid REFERENCES jobs(id) ON DELETE SET NULL,
    video_id    uuid REFERENCES videos(id) ON DELETE SET NULL,
    read_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);
