-- name: invoked-by
-- description: Calls an AWS service made on a principal's behalf (userIdentity.invokedBy set, e.g. CloudFormation acting with the caller's session), with that principal.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: service string = %
-- param: principal string = %
-- returns: event_time, event_id, invoked_by, iam_action, identity_type, arn, access_key_id, error_code
SELECT event_time, event_id, invoked_by, iam_action, identity_type, arn, access_key_id, error_code
FROM events
WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
  AND invoked_by IS NOT NULL AND invoked_by LIKE :service
  AND (COALESCE(arn, '') LIKE :principal
       OR COALESCE(session_issuer_arn, '') LIKE :principal
       OR COALESCE(user_name, '') LIKE :principal
       OR COALESCE(access_key_id, '') LIKE :principal)
ORDER BY event_time, event_id
