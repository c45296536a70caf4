-- name: coverage-hours
-- description: Events per hour (UTC) by account and region: the basis of the reports' data-coverage section (an hour missing for an account and region that logs in most hours is a gap).
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: from_date string = 1970-01-01
-- param: to_date string = 2100-01-01
-- returns: account, region, hour, events
-- Counted per UTC day and hour, and the hour written out once per group:
-- formatting every event's timestamp cost more than the count.
WITH located AS (
  SELECT COALESCE(recipient_account_id, account_id, '') AS account,
         COALESCE(aws_region, '') AS region,
         event_date AS day,
         EXTRACT(HOUR FROM event_time) AS hh
  FROM events
  WHERE event_date >= :from_date AND event_date <= :to_date
    AND event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
),
counted AS (
  SELECT account, region, day, hh, count(*) AS events
  FROM located
  GROUP BY account, region, day, hh
)
SELECT account, region,
       CAST(day AS VARCHAR(10)) || CASE WHEN hh < 10 THEN ' 0' ELSE ' ' END || CAST(hh AS VARCHAR(2)) AS hour,
       events
FROM counted
ORDER BY account, region, hour
