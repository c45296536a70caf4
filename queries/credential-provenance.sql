-- name: credential-provenance
-- description: For each access key used in the window, the call that minted it (AssumeRole*, GetSessionToken, GetFederationToken, CreateAccessKey), matched on responseElements' accessKeyId; no mint row when the lake does not hold it.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: key string = %
-- returns: access_key_id, used_by, first_used, last_used, events, mint_action, minted_at, mint_event_id, minted_by, role_arn, session_name, mint_source_ip
WITH mints AS (
  SELECT event_id AS mint_event_id, event_time AS minted_at, iam_action AS mint_action,
         COALESCE(arn, user_name, invoked_by, principal_id, identity_type) AS minted_by,
         NULLIF(split_part(split_part(request_parameters, '"roleArn"', 2), '"', 2), '') AS role_arn,
         NULLIF(split_part(split_part(request_parameters, '"roleSessionName"', 2), '"', 2), '') AS session_name,
         source_ip_address AS mint_source_ip,
         NULLIF(split_part(split_part(response_elements, '"accessKeyId"', 2), '"', 2), '') AS minted_key
  FROM events
  WHERE event_name IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot',
                       'GetSessionToken', 'GetFederationToken', 'CreateAccessKey')
    AND response_elements IS NOT NULL
),
used AS (
  SELECT access_key_id, min(arn) AS used_by, min(event_time) AS first_used, max(event_time) AS last_used,
         count(*) AS events
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND access_key_id IS NOT NULL AND access_key_id LIKE :key
  GROUP BY access_key_id
)
SELECT u.access_key_id, u.used_by, u.first_used, u.last_used, u.events, m.mint_action, m.minted_at,
       m.mint_event_id, m.minted_by, m.role_arn, m.session_name, m.mint_source_ip
FROM used u
LEFT JOIN mints m ON u.access_key_id = m.minted_key
ORDER BY u.first_used, u.access_key_id, m.mint_event_id NULLS FIRST
