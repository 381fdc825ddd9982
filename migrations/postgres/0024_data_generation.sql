-- A counter every write to what a plan's progress is computed from moves on, in the writer's
-- own transaction: servers that keep evaluations in memory compare it (with the registries'
-- generation) to know, with one cheap read, whether theirs are still those of the stored
-- records. Kept by triggers so that no write path, present or future, can forget it. The
-- registries have their own counter (registry_state), moved once per import rather than per
-- row, so a million-row file does not fire a million triggers.
CREATE TABLE data_state (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO data_state (id, generation) VALUES (1, 1);

CREATE FUNCTION next_data_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_state SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER regions_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON regions
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER plans_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plans
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER indicators_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicators
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER targets_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON targets
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER observations_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON observations
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER ledger_entries_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER pool_members_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pool_members
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER loans_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON loans
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER reserve_entries_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON reserve_entries
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER seed_funds_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON seed_funds
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER rd_surveys_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rd_surveys
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER plan_items_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plan_items
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER target_milestones_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON target_milestones
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER target_regions_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON target_regions
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
