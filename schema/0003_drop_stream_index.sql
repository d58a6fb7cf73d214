-- 0003: the (stream_id, stream_version) index goes; the event-id index stays.
--
-- Stream versions are read once from the log when the writer first needs them and kept
-- in memory from then on, so the index served only its own uniqueness. Writes to many
-- streams dirtied one index page per stream in every group commit: dropping it raised
-- durable appends under 50 writers by about 45% (BENCHMARKS.md). Consecutive versions per
-- stream are kept by the store's single writer and checked by verify, as 0002 does for
-- the append order.
DROP INDEX IF EXISTS events_by_stream;
