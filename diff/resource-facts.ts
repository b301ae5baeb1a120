/**
 * What the diff knows about the resource types the project emits: which attributes force Terraform to replace a
 * resource, which resources hold state, and which attribute carries a resource's physical name.
 *
 * Source of the replacement table: the "Forces new resource" / `ForceNew: true` / `RequiresReplace` attributes of
 * hashicorp/aws 5.100, hashicorp/kubernetes 2.38 and hashicorp/helm 3.1 (registry docs and provider schemas,
 * e.g. internal/service/eks/node_group.go). Entries are dotted attribute paths with block indices left out
 * (`vpc_config.subnet_ids`). `yes` means the provider always replaces on a change; `may` means it replaces in some
 * provider versions or for some changes only (the diff then says "may force replacement"). A type that is not
 * listed gets no replacement claim: its changes are reported as updates.
 *
 * Checked against the provider itself: `__tests__/diff/mutations.test.ts` fails when Terraform's
 * `replace_paths` (the exact mode's real plans of the mutation set) name an attribute the table does not, and
 * `__tests__/diff/exact.test.ts` fails when the app emits a type the table does not list.
 */

/** How sure the diff is that a change makes Terraform replace the resource. */
export type ReplacementCertainty = 'yes' | 'may';

interface ReplacementPaths {
  /** Attributes whose change always replaces the resource. */
  readonly yes: readonly string[];
  /** Attributes whose change replaces it in some provider versions or cases. */
  readonly may?: readonly string[];
}

const KUBERNETES_IDENTITY = ['metadata.name', 'metadata.namespace', 'metadata.generate_name'];

const REPLACEMENTS: Readonly<Record<string, ReplacementPaths>> = {
  // The CDN (#19 part 3): CloudFront updates its distribution and policies in place; the log delivery resources
  // (CloudWatch Logs vended delivery) are replaced on their identifying attributes. `may` where the attribute's
  // replacement behaviour was not confirmed against the provider source.
  aws_cloudfront_cache_policy: { yes: [] },
  aws_cloudfront_distribution: { yes: [], may: ['staging'] },
  aws_cloudfront_response_headers_policy: { yes: [] },
  aws_cloudwatch_log_delivery: { yes: ['delivery_source_name', 'delivery_destination_arn'] },
  aws_cloudwatch_log_delivery_destination: {
    yes: ['name'],
    may: ['output_format', 'delivery_destination_configuration.destination_resource_arn'],
  },
  aws_cloudwatch_log_delivery_source: { yes: ['name', 'log_type'], may: ['resource_arn'] },
  // Cost watch (#19): anomaly detection, cost allocation tags, the weekly report's state machine and schedule;
  // `may` where the attribute's replacement behaviour was not confirmed against the provider source.
  aws_ce_anomaly_monitor: { yes: ['monitor_type', 'monitor_dimension'], may: ['name'] },
  aws_ce_anomaly_subscription: { yes: [], may: ['name', 'account_id'] },
  aws_ce_cost_allocation_tag: { yes: ['tag_key'] },
  aws_scheduler_schedule: { yes: ['name', 'name_prefix', 'group_name'] },
  aws_sfn_state_machine: { yes: ['name', 'name_prefix'], may: ['type'] },
  // Account baseline, registry and alert delivery types (#16, #17), from the provider's ForceNew attributes;
  // `may` where the attribute's replacement behaviour was not confirmed against the provider source.
  aws_accessanalyzer_analyzer: { yes: ['analyzer_name', 'type', 'configuration'] },
  aws_backup_vault_lock_configuration: {
    yes: ['backup_vault_name', 'changeable_for_days', 'max_retention_days', 'min_retention_days'],
  },
  aws_chatbot_slack_channel_configuration: { yes: [], may: ['configuration_name', 'slack_team_id'] },
  aws_cloudtrail: { yes: ['name'] },
  aws_config_configuration_recorder: { yes: ['name'] },
  aws_config_configuration_recorder_status: { yes: ['name'] },
  aws_config_delivery_channel: { yes: ['name'] },
  aws_ecr_registry_scanning_configuration: { yes: [] },
  aws_ecr_repository_policy: { yes: ['repository'] },
  aws_guardduty_detector: { yes: [] },
  aws_guardduty_detector_feature: { yes: ['detector_id', 'name'] },
  aws_iam_service_linked_role: { yes: ['aws_service_name', 'custom_suffix'] },
  aws_inspector2_enabler: { yes: [], may: ['account_ids'] },
  aws_s3_bucket_object_lock_configuration: { yes: ['bucket', 'expected_bucket_owner'] },
  aws_securityhub_account: { yes: [] },
  aws_securityhub_standards_subscription: { yes: ['standards_arn'] },
  aws_sns_topic_subscription: { yes: ['topic_arn', 'protocol', 'endpoint'] },
  // The database automation (#20): Lambda function, its invocation by Terraform, permissions, secret rotation.
  aws_lambda_function: { yes: ['function_name', 'package_type'] },
  aws_lambda_invocation: { yes: ['function_name', 'qualifier', 'triggers'], may: ['input'] },
  aws_lambda_permission: {
    yes: [
      'action',
      'event_source_token',
      'function_name',
      'function_url_auth_type',
      'principal',
      'principal_org_id',
      'qualifier',
      'source_account',
      'source_arn',
      'statement_id',
      'statement_id_prefix',
    ],
  },
  aws_secretsmanager_secret_rotation: { yes: ['secret_id'] },
  aws_acm_certificate: {
    yes: [
      'domain_name',
      'subject_alternative_names',
      'key_algorithm',
      'private_key',
      'certificate_authority_arn',
    ],
  },
  aws_acm_certificate_validation: { yes: ['certificate_arn', 'validation_record_fqdns'] },
  aws_backup_plan: { yes: ['name'] },
  aws_backup_restore_testing_plan: { yes: ['name'] },
  aws_backup_restore_testing_selection: {
    yes: ['name', 'restore_testing_plan_name', 'protected_resource_type'],
  },
  aws_backup_selection: {
    yes: ['name', 'plan_id', 'iam_role_arn', 'resources', 'not_resources', 'selection_tag', 'condition'],
  },
  aws_backup_vault: { yes: ['name', 'kms_key_arn'] },
  aws_budgets_budget: { yes: ['name', 'name_prefix', 'account_id'] },
  aws_cloudwatch_event_rule: { yes: ['name', 'name_prefix', 'event_bus_name'] },
  aws_cloudwatch_event_target: { yes: ['rule', 'target_id', 'event_bus_name'] },
  aws_cloudwatch_log_group: { yes: ['name', 'name_prefix', 'log_group_class'] },
  aws_cloudwatch_log_metric_filter: { yes: ['name', 'log_group_name'] },
  aws_cloudwatch_metric_alarm: { yes: [], may: ['alarm_name'] },
  // The CI runner (#15): a project's name, a webhook's project (internal/service/codebuild/{project,webhook}.go).
  aws_codebuild_project: { yes: ['name'] },
  aws_codebuild_webhook: { yes: ['project_name'], may: ['scope_configuration'] },
  aws_db_cluster_snapshot: { yes: ['db_cluster_snapshot_identifier', 'db_cluster_identifier'] },
  aws_db_parameter_group: { yes: ['name', 'name_prefix', 'family', 'description'] },
  aws_db_proxy: { yes: ['name', 'engine_family', 'vpc_subnet_ids'] },
  aws_db_proxy_default_target_group: { yes: ['db_proxy_name'] },
  aws_db_proxy_endpoint: {
    yes: ['db_proxy_name', 'db_proxy_endpoint_name', 'vpc_subnet_ids', 'target_role'],
  },
  aws_db_proxy_target: {
    yes: ['db_proxy_name', 'target_group_name', 'db_cluster_identifier', 'db_instance_identifier'],
  },
  aws_default_network_acl: { yes: ['default_network_acl_id'] },
  aws_default_route_table: { yes: ['default_route_table_id'] },
  aws_default_security_group: { yes: ['vpc_id'] },
  aws_db_subnet_group: { yes: ['name', 'name_prefix'] },
  aws_ecr_lifecycle_policy: { yes: ['repository'] },
  aws_ecr_repository: { yes: ['name', 'encryption_configuration'] },
  aws_eip: { yes: ['domain', 'vpc', 'customer_owned_ipv4_pool', 'public_ipv4_pool', 'network_border_group'] },
  aws_eks_access_entry: { yes: ['cluster_name', 'principal_arn', 'type'] },
  aws_eks_access_policy_association: { yes: ['cluster_name', 'principal_arn', 'policy_arn', 'access_scope'] },
  aws_eks_addon: { yes: ['cluster_name', 'addon_name'] },
  aws_eks_cluster: {
    yes: [
      'name',
      'role_arn',
      'bootstrap_self_managed_addons',
      'access_config.bootstrap_cluster_creator_admin_permissions',
      'kubernetes_network_config.service_ipv4_cidr',
      'kubernetes_network_config.ip_family',
      'outpost_config',
      'remote_network_config',
    ],
    // Removing encryption_config forces a new cluster; changing subnets or security groups is updatable only in
    // newer provider versions (UpdateClusterConfig), so both are reported as "may".
    may: ['encryption_config', 'vpc_config.subnet_ids', 'vpc_config.security_group_ids'],
  },
  aws_eks_node_group: {
    yes: [
      'cluster_name',
      'node_group_name',
      'node_group_name_prefix',
      'node_role_arn',
      'subnet_ids',
      'ami_type',
      'capacity_type',
      'instance_types',
      'disk_size',
      'remote_access',
      'launch_template.id',
      'launch_template.name',
    ],
  },
  aws_eks_pod_identity_association: { yes: ['cluster_name', 'namespace', 'service_account'] },
  aws_flow_log: {
    yes: [
      'vpc_id',
      'subnet_id',
      'eni_id',
      'log_destination',
      'log_destination_type',
      'log_group_name',
      'traffic_type',
      'iam_role_arn',
      'log_format',
      'max_aggregation_interval',
      'destination_options',
    ],
  },
  aws_iam_openid_connect_provider: { yes: ['url'] },
  aws_iam_policy: { yes: ['name', 'name_prefix', 'path', 'description'] },
  aws_iam_role: { yes: ['name', 'name_prefix', 'path'] },
  aws_iam_role_policy: { yes: ['name', 'name_prefix', 'role'] },
  aws_iam_role_policy_attachment: { yes: ['role', 'policy_arn'] },
  // vpc_id attaches and detaches the gateway in place.
  aws_internet_gateway: { yes: [] },
  aws_kms_alias: { yes: ['name', 'name_prefix'] },
  aws_kms_key: {
    yes: ['customer_master_key_spec', 'key_usage', 'multi_region', 'custom_key_store_id', 'xks_key_id'],
  },
  aws_launch_template: { yes: ['name', 'name_prefix'] },
  // Long-term metrics (#18): the key cannot be swapped on a workspace; the alias and retention update in place.
  aws_prometheus_workspace: { yes: ['kms_key_arn'] },
  aws_prometheus_workspace_configuration: { yes: ['workspace_id'] },
  aws_nat_gateway: { yes: ['allocation_id', 'subnet_id', 'connectivity_type', 'private_ip'] },
  aws_network_acl: { yes: ['vpc_id'] },
  aws_rds_cluster: {
    yes: [
      'cluster_identifier',
      'cluster_identifier_prefix',
      'engine',
      'engine_mode',
      'database_name',
      'master_username',
      'kms_key_id',
      'storage_encrypted',
      'db_subnet_group_name',
      'availability_zones',
      'snapshot_identifier',
      'source_region',
      'restore_to_point_in_time',
      's3_import',
    ],
  },
  aws_rds_cluster_instance: {
    yes: [
      'identifier',
      'identifier_prefix',
      'engine',
      'cluster_identifier',
      'availability_zone',
      'db_subnet_group_name',
      'custom_iam_instance_profile',
    ],
  },
  aws_rds_cluster_parameter_group: { yes: ['name', 'name_prefix', 'family', 'description'] },
  aws_route: {
    yes: [
      'route_table_id',
      'destination_cidr_block',
      'destination_ipv6_cidr_block',
      'destination_prefix_list_id',
    ],
  },
  aws_route53_record: { yes: ['zone_id', 'name'], may: ['type', 'set_identifier'] },
  aws_route53_zone: { yes: ['name', 'delegation_set_id'] },
  aws_route_table: { yes: ['vpc_id'] },
  aws_route_table_association: { yes: ['subnet_id', 'gateway_id'] },
  aws_s3_bucket: { yes: ['bucket', 'bucket_prefix', 'object_lock_enabled'] },
  aws_s3_bucket_lifecycle_configuration: { yes: ['bucket', 'expected_bucket_owner'] },
  aws_s3_bucket_logging: { yes: ['bucket', 'expected_bucket_owner'] },
  aws_s3_bucket_ownership_controls: { yes: ['bucket'] },
  aws_s3_bucket_policy: { yes: ['bucket'] },
  aws_s3_bucket_public_access_block: { yes: ['bucket'] },
  aws_s3_bucket_server_side_encryption_configuration: { yes: ['bucket', 'expected_bucket_owner'] },
  aws_s3_bucket_versioning: { yes: ['bucket', 'expected_bucket_owner'] },
  aws_secretsmanager_secret: { yes: ['name', 'name_prefix'] },
  aws_security_group: { yes: ['name', 'name_prefix', 'vpc_id', 'description'] },
  aws_sns_topic: { yes: ['name', 'name_prefix', 'fifo_topic'] },
  aws_sns_topic_policy: { yes: ['arn'] },
  aws_sqs_queue: { yes: ['name', 'name_prefix', 'fifo_queue'] },
  aws_sqs_queue_policy: { yes: ['queue_url'] },
  aws_subnet: { yes: ['vpc_id', 'cidr_block', 'availability_zone', 'availability_zone_id', 'outpost_arn'] },
  aws_vpc: { yes: ['cidr_block', 'ipv4_ipam_pool_id', 'ipv4_netmask_length'] },
  aws_vpc_endpoint: { yes: ['vpc_id', 'service_name', 'vpc_endpoint_type', 'service_region'] },
  aws_vpc_security_group_egress_rule: { yes: ['security_group_id'] },
  aws_vpc_security_group_ingress_rule: { yes: ['security_group_id'] },
  aws_wafv2_ip_set: { yes: ['name', 'name_prefix', 'scope', 'ip_address_version'] },
  aws_wafv2_web_acl: { yes: ['name', 'name_prefix', 'scope'] },
  aws_wafv2_web_acl_logging_configuration: { yes: ['resource_arn'] },
  helm_release: { yes: ['name', 'namespace'] },
  // Jobs are immutable once created: the provider replaces a Job on any spec change.
  kubernetes_job_v1: { yes: [...KUBERNETES_IDENTITY, 'spec'] },
  kubernetes_manifest: {
    yes: ['manifest.apiVersion', 'manifest.kind', 'manifest.metadata.name', 'manifest.metadata.namespace'],
  },
  kubernetes_deployment_v1: { yes: KUBERNETES_IDENTITY, may: ['spec.selector'] },
  kubernetes_service_v1: { yes: [...KUBERNETES_IDENTITY, 'spec.cluster_ip'] },
  kubernetes_storage_class_v1: {
    yes: [
      ...KUBERNETES_IDENTITY,
      'storage_provisioner',
      'parameters',
      'reclaim_policy',
      'volume_binding_mode',
    ],
  },
};

/**
 * The attribute paths whose change replaces a resource of `type`, or undefined for a type the table does not
 * know. Every `kubernetes_*` resource is replaced when its name or namespace changes.
 */
export function replacementPaths(type: string): ReplacementPaths | undefined {
  const known = REPLACEMENTS[type];
  if (known) return known;
  if (type.startsWith('kubernetes_')) return { yes: KUBERNETES_IDENTITY };
  return undefined;
}

/**
 * True when a change at `path` (list indices removed) touches the forcing attribute `forcing`: the attribute
 * itself, something inside it, or a block that contains it.
 */
export function touchesForcing(path: string, forcing: string): boolean {
  return (
    path === forcing ||
    path.startsWith(`${forcing}.`) ||
    path.startsWith(`${forcing}[`) ||
    forcing.startsWith(`${path}.`)
  );
}

/** Whether a change of the attribute at `path` (list indices removed) replaces a resource of `type`. */
export function forcingCertainty(type: string, path: string): ReplacementCertainty | undefined {
  const paths = replacementPaths(type);
  if (!paths) return undefined;
  if (paths.yes.some((forcing) => touchesForcing(path, forcing))) return 'yes';
  if ((paths.may ?? []).some((forcing) => touchesForcing(path, forcing))) return 'may';
  return undefined;
}

/**
 * Resource types that hold data or an identity others depend on: destroying or replacing one loses data, breaks
 * references from outside Terraform (DNS delegation, encrypted data, log history), or both.
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'aws_backup_vault',
  'aws_cloudwatch_log_group',
  'aws_db_cluster_snapshot',
  'aws_db_instance',
  'aws_dynamodb_table',
  'aws_ebs_volume',
  'aws_efs_file_system',
  'aws_eks_cluster',
  'aws_elasticache_replication_group',
  'aws_kms_key',
  'aws_prometheus_workspace',
  'aws_rds_cluster',
  'aws_rds_cluster_instance',
  'aws_route53_zone',
  'aws_s3_bucket',
  'aws_secretsmanager_secret',
  'kubernetes_persistent_volume_claim_v1',
  'kubernetes_persistent_volume_v1',
]);

/**
 * The attribute holding the physical name of a resource type, where names are unique per account and region. A
 * resource removed under one address and added under another with the same physical name is a rename (a destroy
 * and re-create in Terraform, and usually a name clash on create).
 */
export const PHYSICAL_NAME: Readonly<Record<string, string>> = {
  aws_backup_vault: 'name',
  aws_cloudwatch_log_group: 'name',
  aws_db_cluster_snapshot: 'db_cluster_snapshot_identifier',
  aws_db_proxy: 'name',
  aws_db_subnet_group: 'name',
  aws_codebuild_project: 'name',
  aws_eks_cluster: 'name',
  aws_iam_role: 'name',
  aws_lambda_function: 'function_name',
  aws_launch_template: 'name',
  aws_rds_cluster: 'cluster_identifier',
  aws_rds_cluster_instance: 'identifier',
  aws_route53_zone: 'name',
  aws_s3_bucket: 'bucket',
  aws_secretsmanager_secret: 'name',
  aws_security_group: 'name',
  aws_sns_topic: 'name',
  aws_sqs_queue: 'name',
};
