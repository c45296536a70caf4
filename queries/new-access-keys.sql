-- name: new-access-keys
-- description: Long-term access keys created (iam:CreateAccessKey): by whom, for which user, the new key id, and when the lake first and last saw it used.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- returns: event_time, event_id, created_by, for_user, new_key, error_code, first_used, last_used, uses
WITH created AS (
  SELECT event_time, event_id, COALESCE(arn, user_name, principal_id) AS created_by,
         COALESCE(NULLIF(split_part(split_part(request_parameters, '"userName"', 2), '"', 2), ''),
                  user_name) AS for_user,
         NULLIF(split_part(split_part(response_elements, '"accessKeyId"', 2), '"', 2), '') AS new_key,
         error_code
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND iam_action = 'iam:CreateAccessKey'
),
usage AS (
  SELECT access_key_id, min(event_time) AS first_used, max(event_time) AS last_used, count(*) AS uses
  FROM events
  WHERE access_key_id IS NOT NULL
  GROUP BY access_key_id
)
SELECT c.event_time, c.event_id, c.created_by, c.for_user, c.new_key, c.error_code,
       u.first_used, u.last_used, u.uses
FROM created c
LEFT JOIN usage u ON c.new_key = u.access_key_id
ORDER BY c.event_time, c.event_id
