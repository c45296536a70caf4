-- name: delete-recreate
-- description: Resources deleted and then created again under the same name (same service and resource type, e.g. DeleteStack then CreateStack of prod-web), with the first successful re-create after each successful delete.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- returns: resource_type, resource_name, deleted_at, delete_event_id, deleted_by, recreated_at, recreate_event_id, recreated_by
WITH named AS (
  SELECT event_time, event_id, event_source, split_part(iam_action, ':', 1) AS service,
         split_part(iam_action, ':', 2) AS action,
         COALESCE(arn, user_name, invoked_by, principal_id) AS actor,
         COALESCE(NULLIF(split_part(split_part(request_parameters, '"stackName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"bucketName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"functionName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"roleName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"userName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"policyName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"instanceProfileName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"tableName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"dBInstanceIdentifier"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"dBClusterIdentifier"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"logGroupName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"repositoryName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"autoScalingGroupName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"launchTemplateName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"loadBalancerName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(split_part(request_parameters, '"loadBalancerArn"', 2), '"', 2), '/', 3), ''),
                  NULLIF(split_part(split_part(split_part(request_parameters, '"targetGroupArn"', 2), '"', 2), '/', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"topicArn"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"queueName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"clusterName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"keyName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"groupName"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(request_parameters, '"name"', 2), '"', 2), ''),
                  NULLIF(split_part(split_part(response_elements, '"name"', 2), '"', 2), '')) AS resource_name
  FROM events
  WHERE error_code IS NULL
    AND (event_name LIKE 'Delete%' OR event_name LIKE 'Create%')
),
deletes AS (
  SELECT event_time AS d_time, event_id AS d_id, service AS d_service, substr(action, 7) AS d_noun,
         resource_name AS d_name, actor AS d_actor
  FROM named
  WHERE action LIKE 'Delete%' AND resource_name IS NOT NULL
    AND event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
),
creates AS (
  SELECT event_time AS c_time, event_id AS c_id, service AS c_service, substr(action, 7) AS c_noun,
         resource_name AS c_name, actor AS c_actor
  FROM named
  WHERE action LIKE 'Create%' AND resource_name IS NOT NULL
),
pairs AS (
  SELECT d_service, d_noun, d_name, d_time, d_id, d_actor, c_time, c_id, c_actor,
         row_number() OVER (PARTITION BY d_id ORDER BY c_time, c_id) AS nth
  FROM deletes
  JOIN creates ON d_service = c_service AND d_noun = c_noun AND d_name = c_name
  WHERE c_time >= d_time
)
SELECT d_service || ':' || d_noun AS resource_type, d_name AS resource_name, d_time AS deleted_at,
       d_id AS delete_event_id, d_actor AS deleted_by, c_time AS recreated_at, c_id AS recreate_event_id,
       c_actor AS recreated_by
FROM pairs
WHERE nth = 1
ORDER BY deleted_at, delete_event_id
