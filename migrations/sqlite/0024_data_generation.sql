-- A counter every write to what a plan's progress is computed from moves on, in the writer's
-- own transaction: servers that keep evaluations in memory compare it (with the registries'
-- generation) to know, with one cheap read, whether theirs are still those of the stored
-- records. Kept by triggers so that no write path, present or future, can forget it. The
-- registries have their own counter (registry_state), moved once per import rather than per
-- row, so a million-row file does not fire a million triggers.
-- SQLite's triggers fire per row; each costs one update of this one-row table.
CREATE TABLE data_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO data_state (id, generation) VALUES (1, 1);

CREATE TRIGGER regions_insert_data_generation AFTER INSERT ON regions
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER regions_update_data_generation AFTER UPDATE ON regions
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER regions_delete_data_generation AFTER DELETE ON regions
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER plans_insert_data_generation AFTER INSERT ON plans
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER plans_update_data_generation AFTER UPDATE ON plans
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER plans_delete_data_generation AFTER DELETE ON plans
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER indicators_insert_data_generation AFTER INSERT ON indicators
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER indicators_update_data_generation AFTER UPDATE ON indicators
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER indicators_delete_data_generation AFTER DELETE ON indicators
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER targets_insert_data_generation AFTER INSERT ON targets
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER targets_update_data_generation AFTER UPDATE ON targets
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER targets_delete_data_generation AFTER DELETE ON targets
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER observations_insert_data_generation AFTER INSERT ON observations
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER observations_update_data_generation AFTER UPDATE ON observations
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER observations_delete_data_generation AFTER DELETE ON observations
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER ledger_entries_insert_data_generation AFTER INSERT ON ledger_entries
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER ledger_entries_update_data_generation AFTER UPDATE ON ledger_entries
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER ledger_entries_delete_data_generation AFTER DELETE ON ledger_entries
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER pool_members_insert_data_generation AFTER INSERT ON pool_members
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER pool_members_update_data_generation AFTER UPDATE ON pool_members
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER pool_members_delete_data_generation AFTER DELETE ON pool_members
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER loans_insert_data_generation AFTER INSERT ON loans
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER loans_update_data_generation AFTER UPDATE ON loans
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER loans_delete_data_generation AFTER DELETE ON loans
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER reserve_entries_insert_data_generation AFTER INSERT ON reserve_entries
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER reserve_entries_update_data_generation AFTER UPDATE ON reserve_entries
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER reserve_entries_delete_data_generation AFTER DELETE ON reserve_entries
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER seed_funds_insert_data_generation AFTER INSERT ON seed_funds
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER seed_funds_update_data_generation AFTER UPDATE ON seed_funds
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER seed_funds_delete_data_generation AFTER DELETE ON seed_funds
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER rd_surveys_insert_data_generation AFTER INSERT ON rd_surveys
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER rd_surveys_update_data_generation AFTER UPDATE ON rd_surveys
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER rd_surveys_delete_data_generation AFTER DELETE ON rd_surveys
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER plan_items_insert_data_generation AFTER INSERT ON plan_items
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER plan_items_update_data_generation AFTER UPDATE ON plan_items
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER plan_items_delete_data_generation AFTER DELETE ON plan_items
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER target_milestones_insert_data_generation AFTER INSERT ON target_milestones
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER target_milestones_update_data_generation AFTER UPDATE ON target_milestones
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER target_milestones_delete_data_generation AFTER DELETE ON target_milestones
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER target_regions_insert_data_generation AFTER INSERT ON target_regions
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER target_regions_update_data_generation AFTER UPDATE ON target_regions
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
CREATE TRIGGER target_regions_delete_data_generation AFTER DELETE ON target_regions
BEGIN UPDATE data_state SET generation = generation + 1 WHERE id = 1; END;
