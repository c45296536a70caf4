-- name: changes-timeline
-- description: Every write call (readOnly false, or a non Get/List/Describe name when readOnly is absent) in the window: what changed, by whom, whether it worked.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: principal string = %
-- returns: event_time, event_id, iam_action, arn, invoked_by, source_ip_address, error_code
WITH calls AS (
  SELECT event_time, event_id, iam_action, split_part(iam_action, ':', 2) AS action, read_only,
         arn, invoked_by, source_ip_address, error_code
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND (COALESCE(arn, '') LIKE :principal
         OR COALESCE(session_issuer_arn, '') LIKE :principal
         OR COALESCE(user_name, '') LIKE :principal
         OR COALESCE(access_key_id, '') LIKE :principal)
)
SELECT event_time, event_id, iam_action, arn, invoked_by, source_ip_address, error_code
FROM calls
WHERE CASE
        WHEN read_only = true THEN false
        WHEN read_only = false THEN true
        WHEN action LIKE 'Get%' OR action LIKE 'List%' OR action LIKE 'Describe%' OR action LIKE 'Head%'
          OR action LIKE 'Lookup%' OR action LIKE 'BatchGet%' OR action LIKE 'Search%' THEN false
        ELSE true
      END
ORDER BY event_time, event_id
