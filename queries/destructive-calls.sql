-- name: destructive-calls
-- description: Destructive calls (Delete*, Terminate*, Stop*, Detach*, Disable*, ...) and high-risk changes (policies, sharing, credentials, remote access), attempted or done.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: principal string = %
-- returns: event_time, event_id, iam_action, risk, arn, invoked_by, source_ip_address, error_code
WITH calls AS (
  SELECT event_time, event_id, event_name, iam_action, split_part(iam_action, ':', 2) AS action,
         arn, invoked_by, source_ip_address, error_code
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND (COALESCE(arn, '') LIKE :principal
         OR COALESCE(session_issuer_arn, '') LIKE :principal
         OR COALESCE(user_name, '') LIKE :principal
         OR COALESCE(access_key_id, '') LIKE :principal)
),
classified AS (
  SELECT event_time, event_id, iam_action, arn, invoked_by, source_ip_address, error_code,
         CASE
           WHEN action LIKE 'Delete%' OR action LIKE 'Terminate%' OR action LIKE 'Remove%'
             OR action LIKE 'Detach%' OR action LIKE 'Disable%' OR action LIKE 'Deregister%'
             OR action LIKE 'Purge%' OR action LIKE 'Revoke%' OR action LIKE 'Stop%'
             OR action LIKE 'Disassociate%' OR action LIKE 'Cancel%'
             OR action IN ('ScheduleKeyDeletion', 'LeaveOrganization', 'CloseAccount',
                           'RemoveAccountFromOrganization', 'ResetDBParameterGroup')
             THEN 'destructive'
           WHEN action IN ('PutBucketPolicy', 'PutBucketAcl', 'PutObjectAcl', 'PutBucketPublicAccessBlock',
                           'PutAccountPublicAccessBlock', 'ModifySnapshotAttribute', 'ModifyImageAttribute',
                           'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute',
                           'PutKeyPolicy', 'CreateGrant', 'UpdateAssumeRolePolicy', 'AttachRolePolicy',
                           'AttachUserPolicy', 'AttachGroupPolicy', 'PutRolePolicy', 'PutUserPolicy',
                           'PutGroupPolicy', 'CreatePolicyVersion', 'SetDefaultPolicyVersion',
                           'AddUserToGroup', 'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile',
                           'CreateUser', 'CreateRole', 'AuthorizeSecurityGroupIngress',
                           'EnableSerialConsoleAccess', 'SendSSHPublicKey', 'SendSerialConsoleSSHPublicKey',
                           'GetPasswordData', 'SendCommand', 'StartSession', 'SetRepositoryPolicy',
                           'AddPermission', 'PutResourcePolicy', 'UpdateProjectVisibility',
                           'ModifyInstanceAttribute', 'UpdateTerminationProtection', 'UpdateFunctionCode',
                           'UpdateFunctionConfiguration', 'PutBucketVersioning', 'PutBucketLifecycle',
                           'PutBucketLifecycleConfiguration', 'ModifyDBInstance', 'ModifyDBCluster',
                           'UpdateStack', 'ExecuteChangeSet', 'PutSecretValue', 'UpdateSecret',
                           'SetQueueAttributes', 'ModifyLoadBalancerAttributes')
             THEN 'high-risk'
         END AS risk
  FROM calls
)
SELECT event_time, event_id, iam_action, risk, arn, invoked_by, source_ip_address, error_code
FROM classified
WHERE risk IS NOT NULL
ORDER BY event_time, event_id
