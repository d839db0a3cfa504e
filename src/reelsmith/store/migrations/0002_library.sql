-- The library: full-text search over a video's project title, description and plan prompts; share and
-- expiry bookkeeping; indexes for the library filters, analytics, cleanup and per-user export/delete.

ALTER TABLE videos
    ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector,
    ADD COLUMN share_notified_at timestamptz,   -- last "share link opened" notification (at most hourly)
    ADD COLUMN expiry_notified_at timestamptz;  -- "expires within 24 h" sent

-- A video's search document: its title and its project's title (weight A), the project description (B)
-- and the prompts of the plan version it was rendered from (C). A generated column cannot read other
-- tables, so triggers keep it current.
CREATE FUNCTION video_search_document(p_project uuid, p_plan_version integer, p_title text)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('simple', coalesce(p_title, '') || ' ' || p.title), 'A')
        || setweight(to_tsvector('simple', p.description), 'B')
        || setweight(to_tsvector('simple', coalesce((
               SELECT string_agg(seg->>'prompt', ' ')
               FROM plan_versions pv, jsonb_array_elements(pv.plan->'segments') AS seg
               WHERE pv.project_id = p_project AND pv.version = p_plan_version), '')), 'C')
    FROM projects p WHERE p.id = p_project
$$;

CREATE FUNCTION videos_set_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := coalesce(video_search_document(NEW.project_id, NEW.plan_version, NEW.title), ''::tsvector);
    RETURN NEW;
END
$$;

CREATE TRIGGER videos_search_document BEFORE INSERT OR UPDATE OF title, plan_version, project_id ON videos
    FOR EACH ROW EXECUTE FUNCTION videos_set_search();

CREATE FUNCTION projects_refresh_video_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE videos SET search = coalesce(video_search_document(NEW.id, plan_version, title), ''::tsvector)
    WHERE project_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER projects_video_search AFTER UPDATE OF title, description ON projects
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION projects_refresh_video_search();

UPDATE videos SET search = coalesce(video_search_document(project_id, plan_version, title), ''::tsvector);

-- Library filters and sorts (keyset pagination on (value, id)).
CREATE INDEX videos_search ON videos USING gin (search);
CREATE INDEX videos_models ON videos USING gin (models);
CREATE INDEX videos_user_duration ON videos (user_id, duration_s, id);

-- Cleanup: intermediate assets of old jobs, and keys shared by reused assets.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE status IN ('succeeded', 'failed', 'cancelled');
CREATE INDEX job_assets_object_key ON job_assets (object_key) WHERE object_key IS NOT NULL;

-- Analytics (spend and model usage per user) and per-user export and delete.
CREATE INDEX job_assets_user ON job_assets (user_id, created_at);
CREATE INDEX assets_user ON assets (user_id);
CREATE INDEX analyses_user ON analyses (user_id);
CREATE INDEX plan_versions_user ON plan_versions (user_id);
CREATE INDEX chat_messages_user ON chat_messages (user_id);
