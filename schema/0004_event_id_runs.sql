-- 0004: event ids are indexed once per append, not once per event.
--
-- An append's events carry ids derived from its first one (Uuid::Derive: the first id
-- with its last four bytes changed), so one row names them all: a run of `count` ids
-- from `first_id`, at positions `position` onwards. The unique index on every event's id
-- was a third of an import's insert time; a run is one row per append. Before writing,
-- the store looks up the runs that share the new run's first twelve bytes (the only ones
-- whose ids can meet it) and refuses an id already used, as the unique index did; a retry
-- is found by its first id. verify checks that the runs describe every event exactly once
-- and that no id appears twice.
CREATE TABLE event_id_runs (
  first_id  BLOB    PRIMARY KEY CHECK (length(first_id) = 16),
  position  INTEGER NOT NULL CHECK (position >= 1),
  count     INTEGER NOT NULL CHECK (count >= 1)
) STRICT, WITHOUT ROWID;

-- Events recorded before 0004: a run of one each, so every id stays findable. Read in
-- the old index's order, so the new table is written in order.
INSERT INTO event_id_runs (first_id, position, count)
  SELECT event_id, position, 1 FROM events ORDER BY event_id;

DROP INDEX IF EXISTS events_by_event_id;

CREATE TRIGGER event_id_runs_no_update BEFORE UPDATE ON event_id_runs
BEGIN
  SELECT RAISE(ABORT, 'event_id_runs is append-only: UPDATE is not allowed');
END;

CREATE TRIGGER event_id_runs_no_delete BEFORE DELETE ON event_id_runs
BEGIN
  SELECT RAISE(ABORT, 'event_id_runs is append-only: DELETE is not allowed');
END;
