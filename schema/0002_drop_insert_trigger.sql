-- 0002: the append-order trigger goes; UPDATE and DELETE stay refused.
--
-- A BEFORE INSERT trigger that may RAISE(ABORT) makes SQLite open a statement journal for
-- every insert, which cost half of an import's time. The order it guarded is kept by the
-- store's single writer, by the unique indexes (no two events share a position, an event
-- id, or a stream version), and is checked by verify: gapless positions, consecutive stream
-- versions, recorded-at never going back, and the hash chain over all of them.
DROP TRIGGER IF EXISTS events_append_order;
