-- name: coverage-files
-- description: How many source files and events the lake holds in a window (the reports' data-coverage section).
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: from_date string = 1970-01-01
-- param: to_date string = 2100-01-01
-- returns: files, events
SELECT count(DISTINCT source_file) AS files, count(*) AS events
FROM events
WHERE event_date >= :from_date AND event_date <= :to_date
  AND event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
