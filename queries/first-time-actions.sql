-- name: first-time-actions
-- description: The first time each principal (role, else ARN or user) performed each action in the whole lake, for first times that fall in the window.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: principal string = %
-- returns: event_time, event_id, principal, iam_action, read_only, error_code
WITH actors AS (
  SELECT event_time, event_id, iam_action, read_only, error_code,
         COALESCE(session_issuer_arn, arn, user_name, invoked_by, principal_id, '') AS principal
  FROM events
),
ranked AS (
  SELECT event_time, event_id, principal, iam_action, read_only, error_code,
         row_number() OVER (PARTITION BY principal, iam_action ORDER BY event_time, event_id) AS nth
  FROM actors
)
SELECT event_time, event_id, principal, iam_action, read_only, error_code
FROM ranked
WHERE nth = 1
  AND event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
  AND principal LIKE :principal
ORDER BY event_time, event_id
