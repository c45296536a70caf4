-- name: console-login-no-mfa
-- description: Console sign-ins without MFA (additionalEventData.MFAUsed not Yes), successful or failed; federated (SSO/SAML) sign-ins show MFAUsed No when MFA happened at the identity provider.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- returns: event_time, event_id, identity_type, principal, login_result, mfa_used, source_ip_address, user_agent, error_message
WITH logins AS (
  SELECT event_time, event_id, identity_type, COALESCE(arn, user_name, principal_id) AS principal,
         NULLIF(split_part(split_part(response_elements, '"ConsoleLogin"', 2), '"', 2), '') AS login_result,
         NULLIF(split_part(split_part(additional_event_data, '"MFAUsed"', 2), '"', 2), '') AS mfa_used,
         source_ip_address, user_agent, error_message
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND event_name = 'ConsoleLogin'
)
SELECT event_time, event_id, identity_type, principal, login_result, mfa_used, source_ip_address,
       user_agent, error_message
FROM logins
WHERE COALESCE(mfa_used, '') <> 'Yes'
ORDER BY event_time, event_id
