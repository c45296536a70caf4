-- name: error-spikes
-- description: Errors per minute (UTC) by service and error class, with that minute's call count for the service; rows with at least min_errors errors.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: min_errors int = 1
-- returns: minute, event_source, error_class, errors, calls, principals, example_error_code
WITH calls AS (
  SELECT substr(CAST(event_time AS VARCHAR(32)), 1, 16) AS minute, event_source,
         COALESCE(arn, user_name, invoked_by, principal_id, '') AS principal, error_code,
         CASE
           WHEN error_code IS NULL THEN NULL
           WHEN is_dry_run = true THEN 'dry-run'
           WHEN error_code LIKE '%AccessDenied%' OR error_code LIKE '%Unauthorized%'
             OR error_code LIKE '%NotAuthorized%' OR error_code LIKE '%Forbidden%'
             OR error_code LIKE 'AuthFailure%' OR error_code LIKE '%AuthorizationError%' THEN 'access-denied'
           WHEN error_code LIKE '%Throttl%' OR error_code LIKE '%RequestLimitExceeded%'
             OR error_code LIKE '%TooManyRequests%' OR error_code LIKE '%SlowDown%'
             OR error_code LIKE '%RateExceeded%' THEN 'throttling'
           WHEN error_code LIKE '%NotFound%' OR error_code LIKE '%NoSuch%'
             OR error_code LIKE '%DoesNotExist%' THEN 'not-found'
           WHEN error_code LIKE '%AlreadyExists%' OR error_code LIKE '%Conflict%'
             OR error_code LIKE '%InUse%' OR error_code LIKE '%DependencyViolation%'
             OR error_code LIKE '%Duplicate%' OR error_code LIKE '%IncorrectState%' THEN 'conflict'
           WHEN error_code LIKE '%LimitExceeded%' OR error_code LIKE '%Quota%' THEN 'limit'
           WHEN error_code LIKE '%Validation%' OR error_code LIKE '%Invalid%'
             OR error_code LIKE '%Malformed%' OR error_code LIKE '%MissingParameter%' THEN 'invalid-request'
           WHEN error_code LIKE '%Internal%' OR error_code LIKE '%Unavailable%'
             OR error_code LIKE 'Server.%' OR error_code LIKE '%Timeout%' THEN 'server'
           ELSE 'other'
         END AS error_class
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
),
totals AS (
  SELECT minute, event_source, count(*) AS calls FROM calls GROUP BY minute, event_source
),
errs AS (
  SELECT minute, event_source, error_class, count(*) AS errors,
         count(DISTINCT principal) AS principals, min(error_code) AS example_error_code
  FROM calls
  WHERE error_class IS NOT NULL
  GROUP BY minute, event_source, error_class
)
SELECT e.minute, e.event_source, e.error_class, e.errors, t.calls, e.principals, e.example_error_code
FROM errs e
JOIN totals t ON e.minute = t.minute AND e.event_source = t.event_source
WHERE e.errors >= :min_errors
ORDER BY e.minute, e.event_source, e.error_class
