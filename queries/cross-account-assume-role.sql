-- name: cross-account-assume-role
-- description: Role assumptions where the role's account differs from the caller's account (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity with a known caller account).
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- returns: event_time, event_id, caller, caller_account, role_arn, role_account, session_name, source_ip_address, error_code
WITH assumed AS (
  SELECT event_time, event_id, COALESCE(arn, user_name, invoked_by, principal_id) AS caller,
         COALESCE(account_id, NULLIF(split_part(COALESCE(arn, ''), ':', 5), '')) AS caller_account,
         NULLIF(split_part(split_part(request_parameters, '"roleArn"', 2), '"', 2), '') AS role_arn,
         NULLIF(split_part(split_part(request_parameters, '"roleSessionName"', 2), '"', 2), '') AS session_name,
         source_ip_address, error_code
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND event_name IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity')
),
with_account AS (
  SELECT event_time, event_id, caller, caller_account, role_arn,
         NULLIF(split_part(COALESCE(role_arn, ''), ':', 5), '') AS role_account,
         session_name, source_ip_address, error_code
  FROM assumed
)
SELECT event_time, event_id, caller, caller_account, role_arn, role_account, session_name,
       source_ip_address, error_code
FROM with_account
WHERE caller_account IS NOT NULL AND role_account IS NOT NULL AND caller_account <> role_account
ORDER BY event_time, event_id
