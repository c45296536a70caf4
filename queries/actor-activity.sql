-- name: actor-activity
-- description: Everything one actor did in a window; the actor is a LIKE pattern on the ARN, the session issuer (role) ARN, the user name or the access key id.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: principal string = %
-- returns: event_time, event_id, iam_action, arn, access_key_id, source_ip_address, user_agent, read_only, error_code
SELECT event_time, event_id, iam_action, arn, access_key_id, source_ip_address, user_agent, read_only, error_code
FROM events
WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
  AND (COALESCE(arn, '') LIKE :principal
       OR COALESCE(session_issuer_arn, '') LIKE :principal
       OR COALESCE(user_name, '') LIKE :principal
       OR COALESCE(access_key_id, '') LIKE :principal)
ORDER BY event_time, event_id
