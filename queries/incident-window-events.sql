-- name: incident-window-events
-- description: Every event in a time window, with the columns the incident analysis reads (used by `backtrail incident`).
-- param: from timestamp = 1970-01-01T00:00:00Z
-- param: to timestamp = 2100-01-01T00:00:00Z
-- param: from_date string = 1970-01-01
-- param: to_date string = 2100-01-01
-- returns: event_id, event_time, event_source, event_name, iam_action, aws_region, recipient_account_id, error_code, error_message, read_only, is_dry_run, event_type, event_category, management_event, identity_type, arn, principal_id, account_id, access_key_id, user_name, invoked_by, session_issuer_arn, session_issuer_user_name, mfa_authenticated, source_identity, user_agent, source_ip_address, session_credential_from_console, web_id_federation_provider, identity_provider, request_parameters, response_elements, additional_event_data, source_file, source_index
SELECT event_id, event_time, event_source, event_name, iam_action, aws_region,
       recipient_account_id, error_code, error_message, read_only, is_dry_run, event_type,
       event_category, management_event,
       identity_type, arn, principal_id, account_id, access_key_id, user_name, invoked_by,
       session_issuer_arn, session_issuer_user_name, mfa_authenticated, source_identity,
       user_agent, source_ip_address, session_credential_from_console,
       web_id_federation_provider, identity_provider, request_parameters, response_elements,
       additional_event_data, source_file, source_index
FROM events
WHERE event_date >= :from_date AND event_date <= :to_date
  AND event_time >= TIMESTAMP :from AND event_time < TIMESTAMP :to
ORDER BY event_time, event_id
