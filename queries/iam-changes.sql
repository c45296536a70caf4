-- name: iam-changes
-- description: IAM and permission changes: IAM / Identity Center / SCP writes and resource-policy, sharing and security-group rule changes, with the target and policy named.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: principal string = %
-- returns: event_time, event_id, iam_action, arn, target, policy_arn, error_code
WITH calls AS (
  SELECT event_time, event_id, event_source, iam_action, split_part(iam_action, ':', 2) AS action,
         read_only, arn, error_code, request_parameters AS rp
  FROM events
  WHERE event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND (COALESCE(arn, '') LIKE :principal
         OR COALESCE(session_issuer_arn, '') LIKE :principal
         OR COALESCE(user_name, '') LIKE :principal
         OR COALESCE(access_key_id, '') LIKE :principal)
),
changes AS (
  SELECT * FROM calls
  WHERE COALESCE(read_only, false) = false
    AND NOT (action LIKE 'Get%' OR action LIKE 'List%' OR action LIKE 'Describe%'
             OR action LIKE 'Generate%' OR action LIKE 'Simulate%' OR action LIKE 'Search%'
             OR action LIKE 'BatchGet%' OR action LIKE 'Lookup%')
    AND (event_source IN ('iam.amazonaws.com', 'identitystore.amazonaws.com', 'sso-directory.amazonaws.com')
         OR (event_source = 'sso.amazonaws.com'
             AND (action LIKE '%PermissionSet%' OR action LIKE '%AccountAssignment%' OR action LIKE '%Policy%'))
         OR (event_source = 'organizations.amazonaws.com'
             AND action IN ('AttachPolicy', 'DetachPolicy', 'CreatePolicy', 'UpdatePolicy', 'DeletePolicy',
                            'EnablePolicyType', 'DisablePolicyType'))
         OR action IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutObjectAcl',
                       'PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock',
                       'PutAccountPublicAccessBlock', 'PutBucketOwnershipControls',
                       'PutKeyPolicy', 'CreateGrant', 'RetireGrant', 'RevokeGrant',
                       'SetRepositoryPolicy', 'DeleteRepositoryPolicy', 'AddPermission', 'RemovePermission',
                       'PutResourcePolicy', 'DeleteResourcePolicy', 'SetQueueAttributes', 'AddPermission',
                       'SetTopicAttributes', 'ModifySnapshotAttribute', 'ModifyImageAttribute',
                       'ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute',
                       'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress',
                       'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
                       'ModifySecurityGroupRules', 'UpdateProjectVisibility', 'PutDataCatalogEncryptionSettings'))
)
SELECT event_time, event_id, iam_action, arn,
       COALESCE(NULLIF(split_part(split_part(rp, '"roleName"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"userName"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"groupName"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"instanceProfileName"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"bucketName"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"keyId"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"functionName"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"repositoryName"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"secretId"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"resourceArn"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"queueUrl"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"topicArn"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"snapshotId"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"imageId"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"dBSnapshotIdentifier"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"groupId"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"permissionSetArn"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"targetId"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"policyName"', 2), '"', 2), ''),
                NULLIF(split_part(split_part(rp, '"name"', 2), '"', 2), '')) AS target,
       NULLIF(split_part(split_part(rp, '"policyArn"', 2), '"', 2), '') AS policy_arn,
       error_code
FROM changes
ORDER BY event_time, event_id
