-- name: drift-iam-changes
-- description: IAM, STS-trust and Organizations changes that alter who may do what, in a period (used by `backtrail drift`).
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: from_date string = 1970-01-01
-- param: to_date string = 2100-01-01
-- returns: event_time, event_id, iam_action, event_name, arn, session_issuer_arn, identity_type, user_name, user_agent, invoked_by, request_parameters, response_elements, source_file, source_index
SELECT event_time, event_id, iam_action, event_name, arn, session_issuer_arn, identity_type,
       user_name, user_agent, invoked_by, request_parameters, response_elements, source_file,
       source_index
FROM events
WHERE event_date >= :from_date AND event_date <= :to_date
  AND event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
  AND error_code IS NULL
  AND (
    (event_source = 'iam.amazonaws.com' AND (
        event_name LIKE 'Attach%' OR event_name LIKE 'Detach%' OR event_name LIKE 'Put%'
        OR event_name LIKE 'Delete%Policy%' OR event_name LIKE 'Create%' OR event_name LIKE 'Update%'
        OR event_name LIKE 'Add%' OR event_name LIKE 'Remove%' OR event_name LIKE 'SetDefaultPolicyVersion'
        OR event_name LIKE 'Delete%PermissionsBoundary' OR event_name LIKE 'DeleteAccessKey'))
    OR (event_source = 'organizations.amazonaws.com' AND event_name LIKE '%Policy%')
    OR (event_source = 'sso.amazonaws.com' AND (event_name LIKE '%PermissionSet%' OR event_name LIKE '%AccountAssignment%'))
  )
ORDER BY event_time, event_id
