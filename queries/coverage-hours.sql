-- name: coverage-hours
-- description: Events per hour (UTC) by account and region: the basis of the reports' data-coverage section (an hour missing for an account and region that logs in most hours is a gap).
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: from_date string = 1970-01-01
-- param: to_date string = 2100-01-01
-- returns: account, region, hour, events
WITH located AS (
  SELECT COALESCE(recipient_account_id, account_id, '') AS account,
         COALESCE(aws_region, '') AS region,
         substr(CAST(event_time AS VARCHAR(32)), 1, 13) AS hour
  FROM events
  WHERE event_date >= :from_date AND event_date <= :to_date
    AND event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
)
SELECT account, region, hour, count(*) AS events
FROM located
GROUP BY account, region, hour
ORDER BY account, region, hour
