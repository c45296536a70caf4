-- name: agent-sessions
-- description: AI-agent sessions (access key, else ARN, with at least one call carrying an agent marker in the user agent or role/session name): span, volume, writes, errors, and one matched marker (user-agent markers first).
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: principal string = %
-- returns: session_key, arn, role_arn, first_seen, last_seen, events, writes, errors, actions, agent_marker
WITH scoped AS (
  SELECT event_time, event_id, iam_action, arn, session_issuer_arn, read_only, error_code,
         split_part(iam_action, ':', 2) AS action,
         COALESCE(access_key_id, arn, principal_id, '') AS session_key,
         lower(COALESCE(user_agent, '')) AS ua,
         lower(COALESCE(arn, '') || ' ' || COALESCE(session_issuer_user_name, '') || ' '
               || COALESCE(source_identity, '') || ' ' || COALESCE(principal_id, '')) AS names
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND (COALESCE(arn, '') LIKE :principal
         OR COALESCE(session_issuer_arn, '') LIKE :principal
         OR COALESCE(user_name, '') LIKE :principal
         OR COALESCE(access_key_id, '') LIKE :principal)
),
tagged AS (
  SELECT event_time, event_id, iam_action, arn, session_issuer_arn, error_code, session_key,
         CASE
           WHEN read_only = true THEN 0
           WHEN read_only = false THEN 1
           WHEN action LIKE 'Get%' OR action LIKE 'List%' OR action LIKE 'Describe%'
             OR action LIKE 'Head%' OR action LIKE 'Lookup%' OR action LIKE 'BatchGet%' THEN 0
           ELSE 1
         END AS is_write,
         CASE
           WHEN ua LIKE '%amazonq-for-cli%' THEN 'user_agent:AmazonQ-For-CLI'
           WHEN ua LIKE '%md/awslabs#mcp%' THEN 'user_agent:md/awslabs#mcp'
           WHEN ua LIKE '%awslabs/mcp%' THEN 'user_agent:awslabs/mcp'
           WHEN ua LIKE '%mcpclient/%' THEN 'user_agent:MCPClient/'
           WHEN ua LIKE '%q-developer%' THEN 'user_agent:q-developer'
           WHEN ua LIKE '%bedrock-agent%' THEN 'user_agent:bedrock-agent'
           WHEN ua LIKE '%kiro%' THEN 'user_agent:kiro'
           WHEN ua LIKE '%claude%' THEN 'user_agent:claude'
           WHEN ua LIKE '%cursor%' THEN 'user_agent:cursor'
           WHEN ua LIKE '%copilot%' THEN 'user_agent:copilot'
           WHEN ua LIKE '%codex%' THEN 'user_agent:codex'
           WHEN ua LIKE '%mcp-%' THEN 'user_agent:mcp-'
           WHEN names LIKE '%amazonq%' THEN 'identity:amazonq'
           WHEN names LIKE '%q-developer%' THEN 'identity:q-developer'
           WHEN names LIKE '%bedrock-agent%' THEN 'identity:bedrock-agent'
           WHEN names LIKE '%kiro%' THEN 'identity:kiro'
           WHEN names LIKE '%claude%' THEN 'identity:claude'
           WHEN names LIKE '%cursor%' THEN 'identity:cursor'
           WHEN names LIKE '%copilot%' THEN 'identity:copilot'
           WHEN names LIKE '%codex%' THEN 'identity:codex'
           WHEN names LIKE '%mcp-%' THEN 'identity:mcp-'
           WHEN names LIKE '%agent%' THEN 'identity:agent'
         END AS agent_marker
  FROM scoped
),
per_session AS (
  SELECT session_key, min(arn) AS arn, min(session_issuer_arn) AS role_arn,
         min(event_time) AS first_seen, max(event_time) AS last_seen, count(*) AS events,
         sum(is_write) AS writes,
         sum(CASE WHEN error_code IS NULL THEN 0 ELSE 1 END) AS errors,
         count(DISTINCT iam_action) AS actions,
         max(agent_marker) AS agent_marker
  FROM tagged
  WHERE session_key <> ''
  GROUP BY session_key
)
SELECT session_key, arn, role_arn, first_seen, last_seen, events, writes, errors, actions, agent_marker
FROM per_session
WHERE agent_marker IS NOT NULL
ORDER BY first_seen, session_key
