-- name: access-denied-probing
-- description: Principals whose calls were denied across at least min_actions distinct actions (AccessDenied, UnauthorizedOperation, ...): probing for what a credential can do.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: min_actions int = 2
-- returns: principal, first_denied, last_denied, denied, denied_actions, denied_services, calls, source_ips, example_error_code
WITH calls AS (
  SELECT event_time, iam_action, event_source, error_code, source_ip_address,
         COALESCE(arn, user_name, access_key_id, principal_id, invoked_by, '') AS principal,
         CASE
           WHEN error_code LIKE '%AccessDenied%' OR error_code LIKE '%Unauthorized%'
             OR error_code LIKE '%NotAuthorized%' OR error_code LIKE '%Forbidden%'
             OR error_code LIKE 'AuthFailure%' OR error_code LIKE '%AuthorizationError%' THEN 1
           ELSE 0
         END AS is_denied
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
),
totals AS (
  SELECT principal, count(*) AS calls FROM calls GROUP BY principal
),
denied AS (
  SELECT principal, min(event_time) AS first_denied, max(event_time) AS last_denied, count(*) AS denied,
         count(DISTINCT iam_action) AS denied_actions, count(DISTINCT event_source) AS denied_services,
         count(DISTINCT source_ip_address) AS source_ips, min(error_code) AS example_error_code
  FROM calls
  WHERE is_denied = 1
  GROUP BY principal
)
SELECT d.principal, d.first_denied, d.last_denied, d.denied, d.denied_actions, d.denied_services,
       t.calls, d.source_ips, d.example_error_code
FROM denied d
JOIN totals t ON d.principal = t.principal
WHERE d.denied_actions >= :min_actions
ORDER BY d.first_denied, d.principal
