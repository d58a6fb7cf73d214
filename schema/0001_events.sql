-- 0001: the append-only event log.
-- Layout and the hash-chain bytes are documented in schema/README.md.

CREATE TABLE events (
  position        INTEGER PRIMARY KEY CHECK (position >= 1),
  stream_id       TEXT    NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 200),
  stream_version  INTEGER NOT NULL CHECK (stream_version >= 1),
  event_type      TEXT    NOT NULL CHECK (length(event_type) BETWEEN 1 AND 100),
  schema_version  INTEGER NOT NULL CHECK (schema_version >= 1),
  payload         BLOB    NOT NULL,
  event_id        BLOB    NOT NULL CHECK (length(event_id) = 16),
  recorded_at_us  INTEGER NOT NULL,
  recorded_by     TEXT    NOT NULL,
  correlation_id  BLOB    CHECK (correlation_id IS NULL OR length(correlation_id) = 16),
  causation_id    BLOB    CHECK (causation_id IS NULL OR length(causation_id) = 16),
  hash            BLOB    NOT NULL CHECK (length(hash) = 32)
) STRICT;

CREATE UNIQUE INDEX events_by_event_id ON events (event_id);
CREATE UNIQUE INDEX events_by_stream ON events (stream_id, stream_version);

-- Nothing is ever updated or deleted, whoever asks.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;

-- Positions are gapless, stream versions consecutive, recorded-at never goes back.
CREATE TRIGGER events_append_order BEFORE INSERT ON events
BEGIN
  SELECT RAISE(ABORT, 'events: position must follow the last position without a gap')
   WHERE NEW.position <> (SELECT COALESCE(MAX(position), 0) + 1 FROM events);
  SELECT RAISE(ABORT, 'events: stream_version must follow the stream''s last version')
   WHERE NEW.stream_version <> (SELECT COALESCE(MAX(stream_version), 0) + 1
                                  FROM events WHERE stream_id = NEW.stream_id);
  SELECT RAISE(ABORT, 'events: recorded_at_us must not precede the previous event''s')
   WHERE NEW.recorded_at_us < (SELECT recorded_at_us FROM events
                                WHERE position = NEW.position - 1);
END;
