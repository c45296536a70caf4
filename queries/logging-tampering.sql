-- name: logging-tampering
-- description: Logging, detection and guardrail tampering: trails stopped/changed, config/GuardDuty/Security Hub/Macie turned off, log groups, flow logs and query logs deleted, and deletion or termination protection switched off.
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: from_date string = 1970-01-01
-- param: to_date string = 2100-01-01
-- param: principal string = %
-- returns: event_time, event_id, iam_action, guardrail, arn, invoked_by, error_code
WITH calls AS (
  SELECT event_time, event_id, iam_action, split_part(iam_action, ':', 1) AS service,
         split_part(iam_action, ':', 2) AS action, arn, invoked_by, error_code,
         request_parameters AS rp
  FROM events
  WHERE event_date >= :from_date AND event_date <= :to_date
    AND event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
    AND (COALESCE(arn, '') LIKE :principal
         OR COALESCE(session_issuer_arn, '') LIKE :principal
         OR COALESCE(user_name, '') LIKE :principal
         OR COALESCE(access_key_id, '') LIKE :principal)
),
named AS (
  SELECT event_time, event_id, iam_action, arn, invoked_by, error_code, rp,
         CASE
           WHEN service = 'cloudtrail' AND action IN ('StopLogging', 'DeleteTrail', 'UpdateTrail',
                'PutEventSelectors', 'PutInsightSelectors', 'DeleteEventDataStore',
                'StopEventDataStoreIngestion', 'UpdateEventDataStore', 'DeleteChannel')
             THEN 'cloudtrail'
           WHEN service = 'config' AND action IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder',
                'DeleteDeliveryChannel', 'DeleteConfigRule', 'DeleteConformancePack',
                'DeleteConfigurationAggregator')
             THEN 'config'
           WHEN service = 'guardduty' AND action IN ('DeleteDetector', 'UpdateDetector',
                'DisassociateFromMasterAccount', 'DisassociateFromAdministratorAccount', 'DeleteMembers',
                'DisassociateMembers', 'StopMonitoringMembers', 'CreateFilter', 'UpdateFilter',
                'CreateIPSet', 'UpdateIPSet', 'DeletePublishingDestination', 'UpdateMalwareScanSettings')
             THEN 'guardduty'
           WHEN service = 'securityhub' AND action IN ('DisableSecurityHub', 'BatchDisableStandards',
                'DisableImportFindingsForProduct', 'DisassociateFromMasterAccount',
                'DisassociateFromAdministratorAccount', 'DeleteMembers', 'UpdateStandardsControl')
             THEN 'securityhub'
           WHEN service = 'access-analyzer' AND action IN ('DeleteAnalyzer', 'CreateArchiveRule')
             THEN 'access-analyzer'
           WHEN service = 'macie2' AND action IN ('UpdateMacieSession', 'DisableMacie',
                'DisableOrganizationAdminAccount', 'DeleteMember')
             THEN 'macie'
           WHEN service = 'detective' AND action IN ('DeleteGraph', 'DisassociateMembership')
             THEN 'detective'
           WHEN service = 'inspector2' AND action IN ('Disable', 'DisableDelegatedAdminAccount')
             THEN 'inspector'
           WHEN service = 'logs' AND action IN ('DeleteLogGroup', 'DeleteLogStream', 'DeleteSubscriptionFilter',
                'PutRetentionPolicy', 'DeleteDestination', 'DisassociateKmsKey', 'DeleteDataProtectionPolicy')
             THEN 'cloudwatch-logs'
           WHEN service = 'cloudwatch' AND action IN ('DeleteAlarms', 'DisableAlarmActions')
             THEN 'cloudwatch-alarms'
           WHEN service = 'ec2' AND action = 'DeleteFlowLogs' THEN 'vpc-flow-logs'
           WHEN service = 'route53resolver' AND action IN ('DeleteResolverQueryLogConfig',
                'DisassociateResolverQueryLogConfig')
             THEN 'dns-query-logs'
           WHEN service = 's3' AND action IN ('PutBucketLogging', 'DeleteBucketLogging') THEN 's3-access-logs'
           WHEN service = 'wafv2' AND action IN ('DisassociateWebACL', 'DeleteWebACL', 'DeleteLoggingConfiguration')
             THEN 'waf'
           WHEN service = 'bedrock' AND action IN ('DeleteModelInvocationLoggingConfiguration',
                'DeleteGuardrail', 'UpdateGuardrail')
             THEN 'bedrock'
           WHEN service = 'rds' AND action = 'StopActivityStream' THEN 'rds-activity-stream'
           WHEN service = 'kms' AND action IN ('DisableKey', 'ScheduleKeyDeletion', 'DisableKeyRotation')
             THEN 'kms'
           WHEN service = 'rds' AND action IN ('ModifyDBInstance', 'ModifyDBCluster') THEN '?rds'
           WHEN service = 'dynamodb' AND action = 'UpdateTable' THEN '?dynamodb'
           WHEN service = 'elasticloadbalancing' AND action = 'ModifyLoadBalancerAttributes' THEN '?elb'
           WHEN service = 'cloudformation' AND action = 'UpdateTerminationProtection' THEN '?cloudformation'
           WHEN service = 'ec2' AND action = 'ModifyInstanceAttribute' THEN '?ec2'
         END AS candidate
  FROM calls
),
-- Calls named above; those marked '?' switch protection off only when their
-- parameters say so. Filtered first, so that only candidates' payloads are
-- searched.
candidates AS (
  SELECT * FROM named WHERE candidate IS NOT NULL
),
classified AS (
  SELECT event_time, event_id, iam_action, arn, invoked_by, error_code,
         CASE
           WHEN candidate = '?rds'
             AND split_part(split_part(split_part(rp, '"deletionProtection"', 2), ',', 1), '}', 1) LIKE '%false%'
             THEN 'deletion-protection-off'
           WHEN candidate = '?dynamodb'
             AND split_part(split_part(split_part(rp, '"deletionProtectionEnabled"', 2), ',', 1), '}', 1) LIKE '%false%'
             THEN 'deletion-protection-off'
           WHEN candidate = '?elb'
             AND split_part(split_part(rp, 'deletion_protection.enabled', 2), '}', 1) LIKE '%false%'
             THEN 'deletion-protection-off'
           WHEN candidate = '?cloudformation'
             AND split_part(split_part(split_part(rp, '"enableTerminationProtection"', 2), ',', 1), '}', 1) LIKE '%false%'
             THEN 'termination-protection-off'
           WHEN candidate = '?ec2'
             AND split_part(split_part(split_part(rp, '"disableApiTermination"', 2), ',', 1), '}', 1) LIKE '%false%'
             THEN 'termination-protection-off'
           WHEN candidate LIKE '?%' THEN NULL
           ELSE candidate
         END AS guardrail
  FROM candidates
)
SELECT event_time, event_id, iam_action, guardrail, arn, invoked_by, error_code
FROM classified
WHERE guardrail IS NOT NULL
ORDER BY event_time, event_id
