-- name: secrets-access
-- description: Who read which secret or parameter (Secrets Manager GetSecretValue/BatchGetSecretValue, SSM GetParameter*), per principal and secret: first and last read, reads, failures.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: principal string = %
-- returns: principal, secret, first_read, last_read, reads, failed, example_error_code
WITH reads AS (
  SELECT event_time, error_code, COALESCE(arn, user_name, invoked_by, principal_id, '') AS principal,
         COALESCE(NULLIF(split_part(split_part(request_parameters, '"secretId"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"secretIdList"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"names"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"name"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"path"', 2), '"', 2), ''),
                  '') AS secret
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND iam_action IN ('secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue',
                       'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath')
    AND (COALESCE(arn, '') LIKE :principal
         OR COALESCE(session_issuer_arn, '') LIKE :principal
         OR COALESCE(user_name, '') LIKE :principal
         OR COALESCE(access_key_id, '') LIKE :principal)
)
SELECT principal, secret, min(event_time) AS first_read, max(event_time) AS last_read, count(*) AS reads,
       sum(CASE WHEN error_code IS NULL THEN 0 ELSE 1 END) AS failed, min(error_code) AS example_error_code
FROM reads
GROUP BY principal, secret
ORDER BY first_read, principal, secret
