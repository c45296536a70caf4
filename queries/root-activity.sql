-- name: root-activity
-- description: Every call made as the account root user (userIdentity.type Root or a :root ARN).
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- returns: event_time, event_id, account_id, iam_action, source_ip_address, user_agent, mfa_authenticated, invoked_by, error_code
SELECT event_time, event_id, COALESCE(account_id, recipient_account_id) AS account_id, iam_action,
       source_ip_address, user_agent, mfa_authenticated, invoked_by, error_code
FROM events
WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
  AND (identity_type = 'Root' OR COALESCE(arn, '') LIKE 'arn:%:iam::%:root')
ORDER BY event_time, event_id
