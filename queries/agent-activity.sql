-- name: agent-activity
-- description: Every call made in an AI-agent session (a session with at least one call whose user agent or role/session name carries an agent marker), with the marker that matched.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: principal string = %
-- returns: event_time, event_id, session_key, iam_action, arn, agent_marker, invoked_by, read_only, error_code
WITH scoped AS (
  SELECT event_time, event_id, iam_action, arn, invoked_by, read_only, error_code,
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
  SELECT event_time, event_id, iam_action, arn, invoked_by, read_only, error_code, session_key,
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
agent_sessions AS (
  SELECT DISTINCT session_key FROM tagged WHERE agent_marker IS NOT NULL AND session_key <> ''
)
SELECT t.event_time, t.event_id, t.session_key, t.iam_action, t.arn, t.agent_marker, t.invoked_by,
       t.read_only, t.error_code
FROM tagged t
JOIN agent_sessions s ON t.session_key = s.session_key
ORDER BY t.event_time, t.event_id
