/**
 * The environment schema: what one environment (dev, staging, prod, or an extra one from `WMS_ENV_FILE`) is made
 * of, and the rules its values must follow.
 */
import {
  AZ_SLOTS,
  blockSize,
  DEFAULT_SUBNET_PREFIX_LENGTHS,
  formatCidr,
  overlaps,
  parseCidr,
  planSubnets,
} from '../shared/cidr';
import { LOG_RETENTION_DAYS } from '../shared/log-retention';
import type { LogRetentionDays } from '../shared/log-retention';
import type { DatabaseAlarmThresholds, ServerlessCapacity } from '../shared/aurora';
import { KNOWN_INSTANCE_CLASSES, SUPPORTED_MAJOR_VERSIONS } from '../shared/aurora';
import type { EksAccessRoles, EksAddonVersions } from '../shared/eks';
import { NODE_AMI_RELEASE_VERSION, STANDARD_SUPPORT_KUBERNETES_VERSIONS } from '../shared/eks';
import { MIN_LOG_RETENTION_DAYS } from '../shared/log-retention';
import { AWS_REGION } from '../shared/region';
import { ROLLBACK_BOUND_LIMIT_SECONDS, rollbackBoundProblem } from '../shared/progressive-delivery';
import type { BaselineItem, FindingSeverity } from '../shared/baseline';
import { BASELINE_ITEMS, FINDING_SEVERITIES } from '../shared/baseline';
import type { PriceClass } from '../shared/cdn';
import { DEFAULT_STATIC_TTL_SECONDS, MAX_TTL_SECONDS, PRICE_CLASSES } from '../shared/cdn';
import type { SubnetPrefixLengths } from '../shared/cidr';
import type { WorkingHours } from '../shared/working-hours';
import { workingHoursProblems } from '../shared/working-hours';
import type { Validator } from './fields';
import { boolean, decimal, integer, list, object, oneOf, optional, required, show, text } from './fields';

/** Remote Terraform state of the environment's stacks. */
export interface StateConfig {
  /** S3 bucket holding one state object per stack (created by the bootstrap stack). */
  readonly bucket: string;
  /** Region of the bucket. */
  readonly region: string;
  /**
   * Where the account's bootstrap stack keeps its own state: `local` until the bucket exists, then `s3` (in this
   * bucket) once migrated: docs/runbooks/bootstrap.md.
   * @default 'local'
   */
  readonly bootstrapBackend?: 'local' | 's3';
}

/** Ownership and cost-allocation tags, applied to every AWS resource through the provider's default_tags. */
export interface TagsConfig {
  /** Team that owns the environment. */
  readonly owner: string;
  /** Cost centre charged for it. */
  readonly costCentre: string;
}

/** The VPC and its subnets. */
export interface NetworkConfig {
  /** VPC CIDR, e.g. 10.20.0.0/16; must not overlap another environment's so they can be peered later. */
  readonly vpcCidr: string;
  /** One NAT gateway per AZ (highly available) or a single one (cheaper, one AZ's failure cuts egress). */
  readonly natGateways: 'per-az' | 'single';
  /** Interface endpoints for ECR, STS, CloudWatch Logs, Secrets Manager and EC2 (about $7/month each per AZ). */
  readonly interfaceEndpoints: boolean;
  /**
   * AWS Organization id (`o-...`): the VPC endpoint policies admit principals of the organization instead of this
   * account only.
   * @default - this account only
   */
  readonly organizationId?: string;
  /** Retention of the VPC flow logs. */
  readonly flowLogRetentionDays: LogRetentionDays;
  /**
   * Retention of the web ACL's request log (the public endpoint's WAF).
   * @default 365
   */
  readonly wafLogRetentionDays?: LogRetentionDays;
  /**
   * Prefix length of each tier's per-AZ subnets.
   * @default - private /19, public /24, database /24
   */
  readonly subnetPrefixLengths?: Partial<SubnetPrefixLengths>;
}

/** AWS Backup of the database, beyond its point-in-time window. */
export interface DatabaseBackupConfig {
  /** Days the daily backups are kept. */
  readonly retentionDays: number;
  /**
   * A second region each backup is copied to (required in production).
   * @default - no copy
   */
  readonly copyRegion?: string;
  /**
   * Days the copies are kept.
   * @default - retentionDays
   */
  readonly copyRetentionDays?: number;
  /** A weekly restore test of the latest backup (required in production). */
  readonly restoreTesting: boolean;
  /**
   * AWS Backup Vault Lock of the vaults: `compliance` (required in production: after 3 days nobody can delete a
   * backup early or remove the lock), `governance` (privileged users can), or `none`.
   * @default 'compliance'
   */
  readonly vaultLock?: 'compliance' | 'governance' | 'none';
  /**
   * Key tables the restore test's check counts in the restored copy (`table` or `schema.table` and the fewest
   * rows it must have); the check fails when one is missing or has fewer rows. Needs `restoreTesting`.
   * @default - none: the check only proves the restored database accepts a login
   */
  readonly restoreCheckTables?: readonly RestoreCheckTableConfig[];
}

/** A warehouse network and its own rate limit (see app.warehouses). */
export interface WarehouseConfig {
  /** Short name: lowercase letters, digits, hyphens. */
  readonly name: string;
  /** Public egress addresses of the warehouse, IPv4 CIDRs. */
  readonly cidrs: readonly string[];
  /** Requests in 5 minutes per address (or per address and device) before the web ACL blocks. */
  readonly rateLimitPer5Minutes: number;
  /**
   * Request header naming the scanner or terminal (e.g. x-wms-device-id): limits per device.
   * @default - per address
   */
  readonly deviceHeader?: string;
}

/** A partner system the API calls. */
export interface PartnerConfig {
  /** Short name: lowercase letters, digits, hyphens. */
  readonly name: string;
  /** The partner's IPv4 CIDRs. */
  readonly cidrs: readonly string[];
  /** TCP ports. */
  readonly ports: readonly number[];
}

/** One key table of the restore check. */
export interface RestoreCheckTableConfig {
  /** `table` or `schema.table` (unqualified names are in the `wms` schema), lowercase. */
  readonly table: string;
  /** Fewest rows the restored copy must have; 0 only proves the table exists. */
  readonly minRows: number;
}

/** The Aurora PostgreSQL cluster. */
export interface DatabaseConfig {
  /** Aurora PostgreSQL major version; minor versions are upgraded automatically. */
  readonly engineMajorVersion: string;
  /** Instance class of the writer and readers, e.g. db.r6g.large, or db.serverless with `serverless`. */
  readonly instanceClass: string;
  /**
   * Serverless v2 capacity in ACUs, exactly when instanceClass is db.serverless.
   * @default - provisioned instances
   */
  readonly serverless?: ServerlessCapacity;
  /** Reader replicas, each in a different AZ from the writer and from each other. */
  readonly readers: number;
  /** Days of point-in-time recovery (1-35). */
  readonly backupRetentionDays: number;
  /** Refuses deletion of the cluster. */
  readonly deletionProtection: boolean;
  /** Statements slower than this are logged, in milliseconds. */
  readonly slowQueryMs: number;
  /** AWS Backup plan. */
  readonly backup: DatabaseBackupConfig;
  /**
   * Days between automatic rotations of the runtime and migration users' passwords (1-90), by the database
   * automation's rotation function.
   * @default 30
   */
  readonly credentialRotationDays?: number;
  /** CloudWatch alarm thresholds. */
  readonly alarms: DatabaseAlarmThresholds;
}

/** One managed node group's instance types and sizes. */
export interface NodeGroupConfig {
  /** EC2 instance types (x86_64). */
  readonly instanceTypes: readonly string[];
  /** Fewest nodes. */
  readonly minSize: number;
  /** Nodes at creation (Karpenter adds capacity afterwards). */
  readonly desiredSize: number;
  /** Most nodes. */
  readonly maxSize: number;
}

/** The EKS cluster. */
export interface EksConfig {
  /** Kubernetes minor version, in EKS standard support. */
  readonly kubernetesVersion: string;
  /** Exact EKS add-on versions (`aws eks describe-addon-versions`). */
  readonly addonVersions: EksAddonVersions;
  /** CIDRs that may reach the public API endpoint; empty keeps the endpoint private. Never 0.0.0.0/0 in production. */
  readonly endpointPublicAccessCidrs: readonly string[];
  /** IAM roles given cluster access: admin (break-glass), read-only, and the CI deploy role. */
  readonly accessRoles: EksAccessRoles;
  /**
   * Managed node groups: on-demand `system` nodes (Karpenter, CoreDNS, the controllers), and optionally a fixed
   * tainted `spot` group. A fixed Spot group is paid for even when no tolerating pod runs there; Spot capacity
   * comes from Karpenter's `spot` NodePool instead (`karpenterSpotCpuLimit`), which is empty when unused.
   */
  readonly nodeGroups: { readonly system: NodeGroupConfig; readonly spot?: NodeGroupConfig };
  /** Retention of the control-plane logs. */
  readonly logRetentionDays: LogRetentionDays;
  /** Terraform refuses to destroy the cluster (`prevent_destroy`). */
  readonly deletionProtection: boolean;
  /** Most vCPUs of on-demand nodes Karpenter may add (NodePool `general`): the cost ceiling of that pool. */
  readonly karpenterCpuLimit: number;
  /**
   * Most vCPUs of Spot nodes Karpenter may add (NodePool `spot`, tainted `wms/spot`), for the pods that tolerate
   * interruption (the web front end); 0 makes no Spot pool.
   */
  readonly karpenterSpotCpuLimit: number;
  /**
   * Replicas of each cluster controller that supports more than one (1-5; at least 2 in production).
   * @default 2
   */
  readonly controllerReplicas?: number;
  /**
   * The EKS-optimized AL2023 AMI release every node runs: the managed node groups' `release_version`
   * (`<Kubernetes version>.<patch>-<YYYYMMDD>`, the "Release version" of the cluster's Kubernetes version in the
   * awslabs/amazon-eks-ami release notes) and, from its date, Karpenter's alias `al2023@v<YYYYMMDD>`. Renovate
   * proposes each new release (renovate.json). Required in production.
   * @default - unpinned: the newest release when a node group is created (not updated afterwards) and Karpenter's
   * `al2023@latest` (its nodes drift to every new release)
   */
  readonly nodeAmiReleaseVersion?: string;
}

/** One component of the WMS (API or web): autoscaling bounds. */
export interface ComponentConfig {
  /** Fewest pods (HPA minimum); at least 2 in production. */
  readonly minReplicas: number;
  /** Most pods (HPA maximum). */
  readonly maxReplicas: number;
}

/** One step of a canary: the share of traffic the new version gets, and how long it stays there. */
export interface CanaryStepConfig {
  /** Percent of the traffic (1-99) the new version gets through the load balancer's weights. */
  readonly weight: number;
  /** Seconds the rollout stays at this weight, analysed all along, before the next step. */
  readonly pauseSeconds: number;
}

/**
 * How a release reaches the traffic (Argo Rollouts): the strategy, the canary's steps, and the analysis whose
 * failure aborts it. The rollback bound, `analysisIntervalSeconds x (failureLimit + 1) + trafficShiftSeconds`, is
 * at most 120 s (a field rule).
 */
export interface DeliveryConfig {
  /**
   * `canary`: traffic shifted by ALB weights through `canarySteps`, analysed at every step; `blueGreen`: the new
   * version behind a preview route (header `X-WMS-Preview: true`), analysed before it takes all the traffic.
   */
  readonly strategy: 'canary' | 'blueGreen';
  /** The canary's steps, weights increasing; after the last, the new version takes all the traffic. */
  readonly canarySteps: readonly CanaryStepConfig[];
  /** Seconds between two analysis measurements (5xx ratio, p95 latency, SLO burn rate). */
  readonly analysisIntervalSeconds: number;
  /** Failed measurements tolerated; the next failure aborts the release and returns all traffic to stable. */
  readonly failureLimit: number;
  /** Seconds the load balancer takes to move all traffic back once the controller aborts. */
  readonly trafficShiftSeconds: number;
}

/** The WMS application and its releases. */
export interface AppConfig {
  /** Image repositories (ECR, created by the bootstrap stack), without tag. */
  readonly images: { readonly api: string; readonly web: string };
  /**
   * The release: the image tag of the API and the web, e.g. `1.5.0`. Bumping it is a release: the migration Job
   * runs (after a snapshot), then the controller rolls the new version out by `delivery`.
   */
  readonly version: string;
  /** How a release reaches the traffic: canary or blue-green, with automatic analysis and abort. */
  readonly delivery: DeliveryConfig;
  /** The database migration of each release (`version`): runs once per version, after a snapshot. */
  readonly migration: { readonly command: readonly string[] };
  /** API autoscaling bounds. */
  readonly api: ComponentConfig;
  /** Web autoscaling bounds. */
  readonly web: ComponentConfig;
  /** Origins the API accepts cross-origin requests from. */
  readonly corsOrigins: readonly string[];
  /** API log level. */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Requests one client IP may make in 5 minutes before the web ACL blocks it. */
  readonly rateLimitPer5Minutes: number;
  /**
   * Warehouse networks (public egress CIDRs) with their own WAF rate limits, per address or, with
   * `deviceHeader`, per address and device; everything else is limited per IP by `rateLimitPer5Minutes`.
   * @default - none
   */
  readonly warehouses?: readonly WarehouseConfig[];
  /**
   * Partner systems the API calls (carriers, ERP): name, IPv4 CIDRs (/8 to /32) and TCP ports, allowed by the API's
   * egress NetworkPolicy; the API's requests leave through the NAT gateways (output `NatPublicIps`).
   * @default - none
   */
  readonly partners?: readonly PartnerConfig[];
  /**
   * The load balancer refuses deletion (`deletion_protection.enabled`); required in production.
   * @default true
   */
  readonly loadBalancerDeletionProtection?: boolean;
}

/** Monitoring: Grafana's admin login, the cost budget, sizes and trace retention. */
export interface MonitoringConfig {
  /** Name of the Secrets Manager secret holding Grafana's admin login (JSON: admin-user, admin-password). */
  readonly grafanaAdminSecret: string;
  /** Monthly cost budget of the environment's account, in USD: alerts at 80% and 100%. */
  readonly monthlyBudgetUsd: number;
  /**
   * Replicas of Prometheus, Alertmanager and the blackbox exporter (1-5; at least 2 in production).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Resources and volume sizes of the monitoring stack: `small` for development, `large` (required in production).
   * @default 'large'
   */
  readonly size?: 'small' | 'large';
  /**
   * Days Tempo keeps traces (its compactor deletes older blocks from the bucket), 1-90.
   * @default 14
   */
  readonly traceRetentionDays?: number;
  /**
   * Days the long-term metrics store (Amazon Managed Service for Prometheus, which both Prometheus replicas
   * remote-write to, deduplicated) keeps samples, 1-1095.
   * @default 400
   */
  readonly metricsRetentionDays?: number;
  /**
   * Grafana at `https://grafana.<dnsDomain>` (its own certificate and load balancer, behind the web ACL) and how
   * people sign in to it. Required in production (single sign-on).
   * @default - Grafana is published, people sign in with the admin login form
   */
  readonly grafana?: GrafanaConfig;
}

/** Grafana's public address and single sign-on. */
export interface GrafanaConfig {
  /**
   * OpenID Connect single sign-on (Grafana's Generic OAuth): when set, the login form and basic authentication are
   * off and only members of `allowedGroups` get in.
   * @default - no single sign-on: the admin login form (Secrets Manager `grafanaAdminSecret`)
   */
  readonly sso?: GrafanaSsoConfig;
}

/**
 * An OpenID Connect client of the organisation's identity provider for Grafana. The client secret is a reference:
 * External Secrets copies it from Secrets Manager into a Kubernetes Secret that Grafana reads through its
 * environment, so it is never in Terraform state.
 */
export interface GrafanaSsoConfig {
  /** The provider's issuer, an https URL without trailing slash, e.g. `https://sso.example.com/realms/wms`. */
  readonly issuerUrl: string;
  /** The OAuth client id registered for `https://grafana.<dnsDomain>/login/generic_oauth`. */
  readonly clientId: string;
  /** Name of the Secrets Manager secret whose value (a plain string) is the client secret, never the secret itself. */
  readonly clientSecretRef: string;
  /** Groups (the ID token's `groups` claim) whose members may sign in: 1-20. */
  readonly allowedGroups: readonly string[];
  /**
   * JMESPath over the user info giving the Grafana role (`Admin`, `Editor` or `Viewer`), e.g.
   * `contains(groups[*], 'wms-sre') && 'Admin' || 'Viewer'`.
   * @default "'Viewer'" - every allowed user is a Viewer
   */
  readonly roleAttributePath?: string;
  /**
   * Authorization endpoint.
   * @default - `<issuerUrl>/protocol/openid-connect/auth` (Keycloak's layout)
   */
  readonly authUrl?: string;
  /**
   * Token endpoint.
   * @default - `<issuerUrl>/protocol/openid-connect/token` (Keycloak's layout)
   */
  readonly tokenUrl?: string;
  /**
   * User info endpoint.
   * @default - `<issuerUrl>/protocol/openid-connect/userinfo` (Keycloak's layout)
   */
  readonly userInfoUrl?: string;
}

/** The host name Grafana is published under: `grafana.<dnsDomain>` (inside the zone external-dns manages). */
export function grafanaHostName(dnsDomain: string): string {
  return `grafana.${dnsDomain}`;
}

/** Where alert notifications go: names of Secrets Manager secrets holding the receivers' URLs and keys. */
export interface AlertingConfig {
  /** Secret with the pager (critical alerts) integration key. */
  readonly pagerSecret: string;
  /** Secret with the chat/ticket (warning alerts) webhook URL. */
  readonly chatSecret: string;
  /**
   * Critical alerts page (the pager receiver); when false they go to chat like warnings. True in production.
   * @default true
   */
  readonly pageCritical?: boolean;
  /**
   * Secret with the URL of a dead-man's-switch heartbeat (e.g. a PagerDuty or healthchecks.io check) that the
   * always-firing Watchdog alert pings, so a dead Alertmanager pages by its silence. Required in production.
   * @default - the Watchdog goes to the log-only receiver
   */
  readonly heartbeatSecret?: string;
  /** Subscribers of the SNS alarm topic (CloudWatch alarms, the budget, findings, backup events): at least one. */
  readonly alarmTopic: AlarmTopicSubscriptionsConfig;
}

/** Subscribers of the SNS alarm topic; endpoints that are credentials are references, never values. */
export interface AlarmTopicSubscriptionsConfig {
  /**
   * Name of the SSM SecureString parameter holding the PagerDuty "Amazon CloudWatch" integration URL. Terraform
   * reads its value from the sensitive variable `pagerduty_cloudwatch_url` (CI exports it from this parameter).
   * Required in production.
   * @default - no pager subscription
   */
  readonly pagerDutyUrlParameter?: string;
  /**
   * AWS Chatbot Slack channel: workspace (team) id `T...` and channel id `C...` (not secrets).
   * @default - no chat subscription
   */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  /**
   * Email addresses subscribed to the topic.
   * @default - none
   */
  readonly emails?: readonly string[];
}

/** Compute sizes of a CodeBuild Linux container build (CodeBuild's `computeType`). */
export const RUNNER_COMPUTE_TYPES = [
  'BUILD_GENERAL1_SMALL',
  'BUILD_GENERAL1_MEDIUM',
  'BUILD_GENERAL1_LARGE',
] as const;

/**
 * The environment's CI runner: a CodeBuild project whose builds are ephemeral GitHub Actions runners in the
 * private subnets, the only runners that reach the private EKS endpoint (docs/delivery.md, "Runners").
 */
export interface RunnerConfig {
  /**
   * ARN of the AWS CodeConnections (or older CodeStar Connections) connection to GitHub of this account (a
   * connection is usable from every region), authorised once in the console (the GitHub App installation): CodeBuild registers its runners with it.
   * An ARN, never a token: the credential stays in the connection.
   */
  readonly connectionArn: string;
  /**
   * Size of each runner build: SMALL 3 GiB/2 vCPUs, MEDIUM 7 GiB/4 vCPUs, LARGE 15 GiB/8 vCPUs.
   * @default 'BUILD_GENERAL1_MEDIUM'
   */
  readonly computeType?: (typeof RUNNER_COMPUTE_TYPES)[number];
}

/** Continuous integration resources of the environment. */
export interface CiConfig {
  /** The runner of the jobs that plan and apply the Kubernetes stacks. */
  readonly runner: RunnerConfig;
}

/**
 * The security baseline of the environment's AWS account (the `wms-baseline-<account>` stack). Environments
 * sharing an account must agree on it.
 */
export interface BaselineConfig {
  /**
   * Baseline items the AWS Organization provides to the account (an organization trail, a delegated GuardDuty
   * administrator...): the baseline stack leaves them out. Say so only when it is true: nothing checks the
   * organization from here.
   * @default - none: the account has every item of its own
   */
  readonly organizationProvides?: readonly BaselineItem[];
  /**
   * GuardDuty, Security Hub and Inspector findings at or above this severity reach the alarm topic.
   * @default 'HIGH'
   */
  readonly findingsMinSeverity?: FindingSeverity;
  /**
   * Days the CloudTrail log files are kept and locked (S3 Object Lock), 90 to 3650.
   * @default 365
   */
  readonly trailRetentionDays?: number;
  /**
   * Object Lock mode of the trail bucket: `COMPLIANCE` (no one can delete a log file early; required in
   * production) or `GOVERNANCE` (a privileged user can).
   * @default 'COMPLIANCE'
   */
  readonly trailLockMode?: 'COMPLIANCE' | 'GOVERNANCE';
  /**
   * Activate the cost tags (Project, Environment, Owner, CostCentre) as cost allocation tags. Only the payer
   * account of an AWS Organization may (a member account gets AccessDenied), and only once a tag has been seen on
   * a billed resource (up to 24 hours after the first apply).
   * @default false
   */
  readonly activateCostAllocationTags?: boolean;
  /**
   * Cost Anomaly Detection alerts the alarm topic on an anomaly of at least this many USD.
   * @default 100
   */
  readonly costAnomalyThresholdUsd?: number;
}

/**
 * CloudFront in front of the environment's load balancer (docs/decisions/0007-cdn-in-front-of-the-load-balancer.md):
 * the static front end cached at the edge, the uncached paths (the API) passed through, the client rate rules and
 * AWS managed rule groups in a CLOUDFRONT web ACL. The load balancer is then reached at `origin.<dnsDomain>`.
 */
export interface CdnConfig {
  /** The distribution, its certificate (us-east-1), web ACL and access logs exist; required in production. */
  readonly enabled: boolean;
  /**
   * `dnsDomain` points at the distribution (Route 53 alias records), and the load balancer of the app moves to a
   * web ACL of its own that only inspects requests (the client rate rules act at the edge). Set it only by the
   * runbook docs/runbooks/cdn-dns-move.md: external-dns owns the record until then.
   * @default false - the distribution is ready, `dnsDomain` still points at the load balancer
   */
  readonly servesDomain?: boolean;
  /**
   * Only CloudFront reaches the load balancer: the Ingress answers only `origin.<dnsDomain>` on HTTPS, from the AWS
   * managed prefix list `com.amazonaws.global.cloudfront.origin-facing`. Set by the same runbook, minutes after
   * `servesDomain` (clients with a stale DNS answer still reach the load balancer directly until then).
   * @default false - the load balancer also answers `dnsDomain`, from anywhere
   */
  readonly cloudfrontOnly?: boolean;
  /**
   * Edge locations serving the viewers (`PriceClass_100`: North America, Europe, Israel).
   * @default 'PriceClass_100'
   */
  readonly priceClass?: PriceClass;
  /**
   * Shortest time the static front end stays cached, whatever its `Cache-Control` says: above 0, a release's
   * `index.html` (sent with `no-cache`) reaches viewers only after that long.
   * @default 0
   */
  readonly staticMinTtlSeconds?: number;
  /**
   * Time the static front end stays cached when the origin sends no `Cache-Control`.
   * @default 86400
   */
  readonly staticDefaultTtlSeconds?: number;
  /**
   * Longest time the static front end stays cached, whatever its `Cache-Control` says.
   * @default 31536000
   */
  readonly staticMaxTtlSeconds?: number;
  /**
   * Path patterns never cached, passed to the origin with every method, header, cookie and query string.
   * @default ['/api', '/api/*']
   */
  readonly uncachedPathPatterns?: readonly string[];
}

/** One environment, as read from `config/<name>.yaml` or the `WMS_ENV_FILE` file. */
export interface EnvironmentConfig {
  /** Short lowercase name used in stack and resource names (`wms-<name>-platform`). */
  readonly name: string;
  /** Production invariants apply: 3+ AZs, NAT per AZ, database readers and deletion protection. */
  readonly production: boolean;
  /** The AWS account the stacks deploy to; the provider refuses any other. */
  readonly awsAccountId: string;
  /** AWS region. */
  readonly region: string;
  /** Availability zones, listed explicitly so synthesis needs no AWS lookup. Append only: order fixes subnets. */
  readonly availabilityZones: readonly string[];
  /** DNS domain of the environment (its Route 53 hosted zone). */
  readonly dnsDomain: string;
  /** Ownership and cost tags. */
  readonly tags: TagsConfig;
  /** Remote state location. */
  readonly state: StateConfig;
  /** Network layout. */
  readonly network: NetworkConfig;
  /** Database sizing and protection. */
  readonly database: DatabaseConfig;
  /** The Kubernetes cluster. */
  readonly eks: EksConfig;
  /** The WMS application. */
  readonly app: AppConfig;
  /** Alert receivers. */
  readonly alerting: AlertingConfig;
  /** Monitoring settings. */
  readonly monitoring: MonitoringConfig;
  /** CI runners in the environment's VPC. */
  readonly ci: CiConfig;
  /**
   * The account's security baseline.
   * @default - every item in the account, findings from HIGH, trail kept and locked (COMPLIANCE) 365 days
   */
  readonly baseline?: BaselineConfig;
  /**
   * Working hours of a non-production environment: outside them the managed node groups scale to zero and the
   * Aurora cluster is stopped (EventBridge Scheduler, in `timeZone`), and they start again 30 minutes before
   * `start`. Never in production (invariant).
   * @default - none: the environment runs around the clock
   */
  readonly schedule?: WorkingHours;
  /**
   * CloudFront in front of the load balancer; required in production.
   * @default - no CDN: the load balancer serves `dnsDomain` to everyone
   */
  readonly cdn?: CdnConfig;
}

const regionField = text(AWS_REGION, 'an AWS region such as eu-west-1');
const nonEmpty = text(/^\S(.*\S)?$/, 'a non-empty string without leading or trailing spaces');
const secretName = text(
  /^(?![a-z][a-z0-9+.-]*:\/\/)[A-Za-z0-9/_+=.@-]{1,512}$/,
  'the name of a Secrets Manager secret such as wms/prod/alerting/pager, never the value itself',
);
const httpsUrl = text(
  /^https:\/\/[a-z0-9.-]+(:\d+)?(\/[\w.~%!$&'()*+,;=:@-]+)*$/,
  'an https URL without query or trailing slash, e.g. https://sso.example.com/realms/wms',
);
const subnetPrefix = integer(16, 28);
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const addonVersion = text(
  /^v\d+\.\d+\.\d+-eksbuild\.\d+$/,
  'an exact EKS add-on version such as v1.21.1-eksbuild.7',
);
const roleArn = text(
  /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/,
  'an IAM role ARN such as arn:aws:iam::123456789012:role/admin',
);
const connectionArn = text(
  /^arn:aws:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/,
  'a CodeConnections connection ARN such as arn:aws:codeconnections:eu-west-1:123456789012:connection/<uuid>',
);
const imageRepository = text(
  /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/,
  'an image repository without tag, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/wms-api',
);
/** Total canary pause: 5 minutes per release, less a minute for the pods to start and the last shift. */
const MAX_CANARY_PAUSE_SECONDS = 240;
const releaseVersion = text(/^(?!latest$)[\w][\w.-]{0,127}$/, 'an image tag such as 1.5.0, never "latest"');
const component = object<ComponentConfig>({
  minReplicas: required(integer(1, 100)),
  maxReplicas: required(integer(1, 200)),
});
function nodeGroup(minInstanceTypes: number): Validator<NodeGroupConfig> {
  return object<NodeGroupConfig>({
    instanceTypes: required(
      list(
        text(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'an EC2 instance type such as m6i.large'),
        minInstanceTypes,
        20,
      ),
    ),
    minSize: required(integer(0, 100)),
    desiredSize: required(integer(0, 100)),
    maxSize: required(integer(1, 100)),
  });
}

/** The shape of an environment: every field, its type and what is allowed (the README's reference is generated from it). */
export const environmentSchema: Validator<EnvironmentConfig> = object<EnvironmentConfig>({
  name: required(
    text(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/, '2-12 characters: lowercase letters, digits, dashes'),
  ),
  production: required(boolean),
  awsAccountId: required(text(/^\d{12}$/, 'a 12-digit account id in quotes, e.g. "123456789012"')),
  region: required(regionField),
  availabilityZones: required(
    list(text(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'an AZ name such as eu-west-1a'), 1, 8),
  ),
  dnsDomain: required(
    text(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lowercase DNS name'),
  ),
  tags: required(object<TagsConfig>({ owner: required(nonEmpty), costCentre: required(nonEmpty) })),
  state: required(
    object<StateConfig>({
      bucket: required(text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')),
      region: required(regionField),
      bootstrapBackend: optional(oneOf('local', 's3')),
    }),
  ),
  network: required(
    object<NetworkConfig>({
      vpcCidr: required(text(/^[\d./]+$/, 'an IPv4 CIDR such as 10.20.0.0/16')),
      natGateways: required(oneOf('per-az', 'single')),
      interfaceEndpoints: required(boolean),
      organizationId: optional(text(/^o-[a-z0-9]{10,32}$/, 'an AWS Organization id such as o-a1b2c3d4e5')),
      flowLogRetentionDays: required(oneOf(...LOG_RETENTION_DAYS)),
      wafLogRetentionDays: optional(oneOf(...LOG_RETENTION_DAYS)),
      subnetPrefixLengths: optional(
        object<Partial<SubnetPrefixLengths>>({
          private: optional(subnetPrefix),
          public: optional(subnetPrefix),
          database: optional(subnetPrefix),
        }),
      ),
    }),
  ),
  database: required(
    object<DatabaseConfig>({
      engineMajorVersion: required(oneOf(...SUPPORTED_MAJOR_VERSIONS)),
      instanceClass: required(oneOf(...KNOWN_INSTANCE_CLASSES, 'db.serverless')),
      serverless: optional(
        object<ServerlessCapacity>({
          minCapacity: required(decimal(0, 256, 0.5)),
          maxCapacity: required(decimal(1, 256, 0.5)),
        }),
      ),
      readers: required(integer(0, 15)),
      backupRetentionDays: required(integer(1, 35)),
      deletionProtection: required(boolean),
      slowQueryMs: required(integer(10, 600000)),
      backup: required(
        object<DatabaseBackupConfig>({
          retentionDays: required(integer(1, 3650)),
          copyRegion: optional(regionField),
          copyRetentionDays: optional(integer(1, 3650)),
          restoreTesting: required(boolean),
          vaultLock: optional(oneOf('compliance', 'governance', 'none')),
          restoreCheckTables: optional(
            list(
              object<RestoreCheckTableConfig>({
                table: required(
                  text(
                    /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/,
                    'table or schema.table, lowercase (e.g. wms.orders)',
                  ),
                ),
                minRows: required(integer(0, 1_000_000_000_000)),
              }),
              0,
              20,
            ),
          ),
        }),
      ),
      credentialRotationDays: optional(integer(1, 90)),
      alarms: required(
        object<DatabaseAlarmThresholds>({
          cpuPercent: required(integer(1, 100)),
          freeableMemoryMiB: required(integer(1, 1048576)),
          freeLocalStorageGiB: required(integer(1, 65536)),
          replicaLagMs: required(integer(1, 3600000)),
          connections: required(integer(1, 100000)),
          proxyClientConnections: required(integer(1, 100000)),
        }),
      ),
    }),
  ),
  eks: required(
    object<EksConfig>({
      kubernetesVersion: required(oneOf(...Object.keys(STANDARD_SUPPORT_KUBERNETES_VERSIONS))),
      addonVersions: required(
        object<EksAddonVersions>({
          vpcCni: required(addonVersion),
          coredns: required(addonVersion),
          kubeProxy: required(addonVersion),
          podIdentityAgent: required(addonVersion),
          ebsCsiDriver: required(addonVersion),
        }),
      ),
      endpointPublicAccessCidrs: required(
        list(text(/^[\d./]+$/, 'an IPv4 CIDR such as 203.0.113.0/24'), 0, 40),
      ),
      accessRoles: required(
        object<EksAccessRoles>({
          adminRoleArn: required(roleArn),
          readOnlyRoleArn: required(roleArn),
          deployRoleArn: required(roleArn),
          planRoleArn: required(roleArn),
        }),
      ),
      nodeGroups: required(
        object<EksConfig['nodeGroups']>({ system: required(nodeGroup(1)), spot: optional(nodeGroup(2)) }),
      ),
      logRetentionDays: required(oneOf(...LOG_RETENTION_DAYS)),
      deletionProtection: required(boolean),
      karpenterCpuLimit: required(integer(2, 10000)),
      karpenterSpotCpuLimit: required(integer(0, 10000)),
      controllerReplicas: optional(integer(1, 5)),
      nodeAmiReleaseVersion: optional(
        text(NODE_AMI_RELEASE_VERSION, 'an EKS AMI release version such as 1.35.6-20260714'),
      ),
    }),
  ),
  app: required(
    object<AppConfig>({
      images: required(
        object<AppConfig['images']>({ api: required(imageRepository), web: required(imageRepository) }),
      ),
      version: required(releaseVersion),
      delivery: required(
        object<DeliveryConfig>({
          strategy: required(oneOf('canary', 'blueGreen')),
          canarySteps: required(
            list(
              object<CanaryStepConfig>({
                weight: required(integer(1, 99)),
                pauseSeconds: required(integer(0, 3600)),
              }),
              1,
              10,
            ),
          ),
          analysisIntervalSeconds: required(integer(10, 120)),
          failureLimit: required(integer(0, 10)),
          trafficShiftSeconds: required(integer(5, 120)),
        }),
      ),
      migration: required(object<AppConfig['migration']>({ command: required(list(nonEmpty, 1, 20)) })),
      api: required(component),
      web: required(component),
      corsOrigins: required(
        list(
          text(/^https:\/\/[a-z0-9.-]+(:\d+)?$/, 'an https origin such as https://wms.example.com'),
          1,
          20,
        ),
      ),
      logLevel: required(oneOf('debug', 'info', 'warn', 'error')),
      rateLimitPer5Minutes: required(integer(100, 2000000000)),
      warehouses: optional(
        list(
          object<WarehouseConfig>({
            name: required(
              text(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'lowercase letters, digits, hyphens (max 32)'),
            ),
            cidrs: required(list(text(/^[\d./]+$/, 'an IPv4 CIDR such as 198.51.100.7/32'), 1, 50)),
            rateLimitPer5Minutes: required(integer(100, 2000000000)),
            deviceHeader: optional(
              text(/^[a-z0-9-]{1,64}$/, 'a lowercase header name such as x-wms-device-id'),
            ),
          }),
          0,
          20,
        ),
      ),
      partners: optional(
        list(
          object<PartnerConfig>({
            name: required(
              text(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits, hyphens'),
            ),
            cidrs: required(list(text(/^[\d./]+$/, 'an IPv4 CIDR such as 192.0.2.0/24'), 1, 50)),
            ports: required(list(integer(1, 65535), 1, 10)),
          }),
          0,
          30,
        ),
      ),
      loadBalancerDeletionProtection: optional(boolean),
    }),
  ),
  alerting: required(
    object<AlertingConfig>({
      pagerSecret: required(secretName),
      chatSecret: required(secretName),
      pageCritical: optional(boolean),
      heartbeatSecret: optional(secretName),
      alarmTopic: required(
        object<AlarmTopicSubscriptionsConfig>({
          pagerDutyUrlParameter: optional(
            text(
              /^\/[A-Za-z0-9_.\-/]{1,1010}$/,
              'an SSM parameter name such as /wms/prod/alerting/pagerduty-url',
            ),
          ),
          slack: optional(
            object<NonNullable<AlarmTopicSubscriptionsConfig['slack']>>({
              workspaceId: required(text(/^T[A-Z0-9]{6,}$/, 'a Slack workspace id such as T0123ABCD')),
              channelId: required(text(/^C[A-Z0-9]{6,}$/, 'a Slack channel id such as C0123ABCD')),
            }),
          ),
          emails: optional(list(text(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i, 'an email address'), 0, 20)),
        }),
      ),
    }),
  ),
  monitoring: required(
    object<MonitoringConfig>({
      grafanaAdminSecret: required(secretName),
      monthlyBudgetUsd: required(integer(1, 10000000)),
      replicas: optional(integer(1, 5)),
      size: optional(oneOf('small', 'large')),
      traceRetentionDays: optional(integer(1, 90)),
      metricsRetentionDays: optional(integer(1, 1095)),
      grafana: optional(
        object<GrafanaConfig>({
          sso: optional(
            object<GrafanaSsoConfig>({
              issuerUrl: required(httpsUrl),
              clientId: required(
                text(/^[\w.:@/-]{1,200}$/, 'an OAuth client id (letters, digits, . _ - : @ /)'),
              ),
              clientSecretRef: required(secretName),
              allowedGroups: required(
                list(text(/^[^\s,]{1,200}$/, 'a group name without spaces or commas'), 1, 20),
              ),
              roleAttributePath: optional(nonEmpty),
              authUrl: optional(httpsUrl),
              tokenUrl: optional(httpsUrl),
              userInfoUrl: optional(httpsUrl),
            }),
          ),
        }),
      ),
    }),
  ),
  ci: required(
    object<CiConfig>({
      runner: required(
        object<RunnerConfig>({
          connectionArn: required(connectionArn),
          computeType: optional(oneOf(...RUNNER_COMPUTE_TYPES)),
        }),
      ),
    }),
  ),
  baseline: optional(
    object<BaselineConfig>({
      organizationProvides: optional(list(oneOf(...BASELINE_ITEMS), 0, BASELINE_ITEMS.length)),
      findingsMinSeverity: optional(oneOf(...FINDING_SEVERITIES)),
      trailRetentionDays: optional(integer(90, 3650)),
      trailLockMode: optional(oneOf('COMPLIANCE', 'GOVERNANCE')),
      activateCostAllocationTags: optional(boolean),
      costAnomalyThresholdUsd: optional(integer(1, 1000000)),
    }),
  ),
  schedule: optional(
    object<WorkingHours>({
      timeZone: required(text(/^\S+$/, 'an IANA time zone such as Europe/Berlin')),
      workdays: required(text(/^[A-Z,-]+$/, 'days MON..SUN as a range or list, e.g. MON-FRI')),
      start: required(text(HH_MM, 'a time HH:MM such as 07:00')),
      stop: required(text(HH_MM, 'a time HH:MM such as 19:00')),
    }),
  ),
  cdn: optional(
    object<CdnConfig>({
      enabled: required(boolean),
      servesDomain: optional(boolean),
      cloudfrontOnly: optional(boolean),
      priceClass: optional(oneOf(...PRICE_CLASSES)),
      staticMinTtlSeconds: optional(integer(0, MAX_TTL_SECONDS)),
      staticDefaultTtlSeconds: optional(integer(0, MAX_TTL_SECONDS)),
      staticMaxTtlSeconds: optional(integer(0, MAX_TTL_SECONDS)),
      uncachedPathPatterns: optional(
        list(
          text(
            /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,254}$/,
            'a CloudFront path pattern starting with / such as /api/*',
          ),
          1,
          10,
        ),
      ),
    }),
  ),
});

/** The subnet prefix lengths of an environment, defaults filled in. */
export function subnetPrefixLengths(network: NetworkConfig): SubnetPrefixLengths {
  return { ...DEFAULT_SUBNET_PREFIX_LENGTHS, ...network.subnetPrefixLengths };
}

/**
 * Validates one environment's raw data: its shape, and the rules between its fields. Every problem is reported
 * at once: a rule runs whenever the fields it reads are valid, even when other fields are not.
 * @returns the typed config, or every problem found, each naming the field path, the value and what is allowed
 */
export function validateEnvironment(raw: unknown): { config: EnvironmentConfig } | { problems: string[] } {
  const problems: string[] = [];
  const config = environmentSchema(raw, '', problems);
  const invalid = problems.map((problem) => problem.slice(0, problem.indexOf(': ')));
  // Each rule reads only the fields it names, so it can run on the raw data when those fields passed the schema.
  const subject = (config ?? raw) as EnvironmentConfig;
  for (const rule of FIELD_RULES) {
    if (config || rule.reads.every((field) => isValidField(field, raw, invalid)))
      problems.push(...rule.check(subject));
  }
  return problems.length > 0 ? { problems } : { config: config as EnvironmentConfig };
}

/** True when `field` is present (or optional and absent) and no problem was reported on it or around it. */
function isValidField(field: string, raw: unknown, invalid: readonly string[]): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const under = (path: string, parent: string) =>
    path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
  return !invalid.some((path) => under(field, path) || under(path, field));
}

/** A rule between fields: the field paths it reads, and its check of a config whose named fields are valid. */
export interface FieldRule {
  /** The rule in one line, for the generated reference. */
  readonly summary: string;
  readonly reads: readonly string[];
  readonly check: (config: EnvironmentConfig) => string[];
}

/** Every rule between the fields of one environment. */
export const FIELD_RULES: readonly FieldRule[] = [
  {
    summary: `availabilityZones: 2 to ${AZ_SLOTS} AZs (3 to ${AZ_SLOTS} in production), each listed once, all in \`region\``,
    reads: ['availabilityZones', 'production', 'region'],
    check: availabilityZoneProblems,
  },
  {
    summary:
      'network.vpcCidr: a network address (no host bits set) from /16 to /24, in which the subnets of ' +
      '`network.subnetPrefixLengths` fit (4 slots per tier)',
    reads: ['network.vpcCidr', 'network.subnetPrefixLengths', 'availabilityZones'],
    check: vpcProblems,
  },
  {
    summary:
      'database.serverless: set exactly when `database.instanceClass` is `db.serverless`, minCapacity <= ' +
      'maxCapacity; `database.backup.copyRegion` differs from `region`; `database.backup.restoreCheckTables` ' +
      'needs `database.backup.restoreTesting`',
    reads: [
      'database.instanceClass',
      'database.serverless',
      'database.backup.copyRegion',
      'database.backup.restoreTesting',
      'database.backup.restoreCheckTables',
      'region',
    ],
    check: databaseProblems,
  },
  {
    summary:
      'app.warehouses: unique names; network addresses that overlap neither each other nor another warehouse; ' +
      'app.partners: network addresses from /8 to /32',
    reads: ['app.warehouses', 'app.partners'],
    check: warehouseProblems,
  },
  {
    summary: 'eks.nodeGroups.*: minSize <= desiredSize <= maxSize',
    reads: ['eks.nodeGroups'],
    check: nodeGroupProblems,
  },
  {
    summary:
      "eks.nodeAmiReleaseVersion: a release of the cluster's Kubernetes version (`eks.kubernetesVersion`)",
    reads: ['eks.nodeAmiReleaseVersion', 'eks.kubernetesVersion'],
    check: nodeAmiProblems,
  },
  {
    summary: 'eks.endpointPublicAccessCidrs: network addresses; never `0.0.0.0/0` in production',
    reads: ['eks.endpointPublicAccessCidrs', 'production'],
    check: endpointCidrProblems,
  },
  {
    summary: 'eks.accessRoles.*: roles of the account `awsAccountId`',
    reads: ['eks.accessRoles', 'awsAccountId'],
    check: accessRoleProblems,
  },
  {
    summary: 'ci.runner.connectionArn: a connection of the account `awsAccountId`',
    reads: ['ci.runner.connectionArn', 'awsAccountId'],
    check: runnerConnectionProblems,
  },
  {
    summary: 'app.api, app.web: minReplicas <= maxReplicas; minReplicas at least 2 in production',
    reads: ['app.api', 'app.web', 'production'],
    check: replicaProblems,
  },
  {
    summary:
      `network.flowLogRetentionDays, network.wafLogRetentionDays: at least ${MIN_LOG_RETENTION_DAYS.other} ` +
      `(${MIN_LOG_RETENTION_DAYS.production} in production: the guardrails' CKV_AWS_338)`,
    reads: ['network.flowLogRetentionDays', 'network.wafLogRetentionDays', 'production'],
    check: logRetentionProblems,
  },
  {
    summary:
      'cdn: staticMinTtlSeconds <= staticDefaultTtlSeconds <= staticMaxTtlSeconds (defaults 0, 86400, 31536000); ' +
      'uncachedPathPatterns each listed once; servesDomain needs enabled, cloudfrontOnly needs servesDomain',
    reads: ['cdn'],
    check: cdnProblems,
  },
  // Issue #15: progressive delivery.
  {
    summary:
      `app.delivery: rollback bound analysisIntervalSeconds x (failureLimit + 1) + trafficShiftSeconds at most ` +
      `${ROLLBACK_BOUND_LIMIT_SECONDS} s; canarySteps weights increasing, pauses at most ` +
      `${MAX_CANARY_PAUSE_SECONDS} s in total (a release under 5 minutes)`,
    reads: ['app.delivery'],
    check: deliveryProblems,
  },
  {
    summary: 'database.readers: at most the number of AZs - 1 (each reader in an AZ of its own)',
    reads: ['database.readers', 'availabilityZones'],
    check: readerProblems,
  },
  {
    summary: 'alerting.alarmTopic: at least one subscriber (pagerDutyUrlParameter, slack or emails)',
    reads: ['alerting.alarmTopic'],
    check: alarmTopicProblems,
  },
  // Issue #19: non-production working hours.
  {
    summary:
      'schedule: timeZone an IANA time zone, workdays EventBridge days (MON-FRI), start at least 00:30 and before stop',
    reads: ['schedule'],
    check: (config) => (config.schedule ? workingHoursProblems(config.schedule, 'schedule') : []),
  },
  ...productionInvariants(),
];

function alarmTopicProblems(config: EnvironmentConfig): string[] {
  const topic = config.alerting.alarmTopic;
  return topic.pagerDutyUrlParameter === undefined &&
    topic.slack === undefined &&
    (topic.emails ?? []).length === 0
    ? [
        `alerting.alarmTopic: ${show(topic)} is not allowed (at least one of pagerDutyUrlParameter, slack, emails)`,
      ]
    : [];
}

function availabilityZoneProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const azs = config.availabilityZones;
  const minAzs = config.production ? 3 : 2;
  if (azs.length < minAzs || azs.length > AZ_SLOTS) {
    problems.push(
      `availabilityZones: ${show(azs)} has ${azs.length} AZs (allowed: ${minAzs} to ${AZ_SLOTS}` +
        `${config.production ? ' in production' : ''})`,
    );
  }
  azs.forEach((az, index) => {
    if (azs.indexOf(az) !== index) problems.push(`availabilityZones[${index}]: "${az}" is listed twice`);
    if (!az.startsWith(config.region) || az.length !== config.region.length + 1) {
      problems.push(`availabilityZones[${index}]: "${az}" is not in region "${config.region}"`);
    }
  });
  return problems;
}

function vpcProblems(config: EnvironmentConfig): string[] {
  const { network } = config;
  const problem = cidrProblem(network.vpcCidr, 16, 24, 'an IPv4 CIDR from /16 to /24, e.g. 10.20.0.0/16');
  if (problem) return [`network.vpcCidr: ${problem}`];
  const layout = planSubnets(network.vpcCidr, config.availabilityZones.length, subnetPrefixLengths(network));
  return 'problems' in layout ? layout.problems.map((p) => `network.subnetPrefixLengths: ${p}`) : [];
}

/**
 * What is wrong with a CIDR (undefined when nothing): not a CIDR or out of range (`allowed` says what is
 * allowed), or host bits set (naming the block's network address).
 */
function cidrProblem(
  cidr: string,
  minPrefix: number,
  maxPrefix: number,
  allowed: string,
): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : NaN;
  if (!match || octets.some((octet) => octet > 255) || prefix < minPrefix || prefix > maxPrefix) {
    return `"${cidr}" is not allowed (${allowed})`;
  }
  if (!parseCidr(cidr)) {
    const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
    const network = formatCidr({ base: address - (address % blockSize(prefix)), prefix });
    return `"${cidr}" has host bits set (allowed: the block's network address, ${network})`;
  }
  return undefined;
}

function databaseProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const { database } = config;
  if ((database.instanceClass === 'db.serverless') !== (database.serverless !== undefined)) {
    problems.push(
      `database.serverless: ${show(database.serverless)} is not allowed ` +
        `(set exactly when database.instanceClass is "db.serverless"; it is ${show(database.instanceClass)})`,
    );
  }
  if (database.serverless && database.serverless.minCapacity > database.serverless.maxCapacity) {
    problems.push(`database.serverless.minCapacity: ${database.serverless.minCapacity} is above maxCapacity`);
  }
  if (database.backup.copyRegion === config.region) {
    problems.push(
      `database.backup.copyRegion: "${config.region}" is not allowed (a region other than the environment's)`,
    );
  }
  const checkTables = database.backup.restoreCheckTables ?? [];
  if (checkTables.length > 0 && !database.backup.restoreTesting) {
    problems.push(
      `database.backup.restoreCheckTables: ${checkTables.length} tables are not allowed without restore tests ` +
        '(set database.backup.restoreTesting: true, or remove the tables)',
    );
  }
  return problems;
}

function deliveryProblems(config: EnvironmentConfig): string[] {
  const { delivery } = config.app;
  const problems: string[] = [];
  const bound = rollbackBoundProblem(delivery);
  if (bound) problems.push(`app.delivery: ${bound}`);
  delivery.canarySteps.forEach((step, index) => {
    const previous = delivery.canarySteps[index - 1];
    if (previous && step.weight <= previous.weight) {
      problems.push(
        `app.delivery.canarySteps[${index}].weight: ${step.weight} is not allowed (more than the previous ` +
          `step's ${previous.weight}: weights increase)`,
      );
    }
  });
  const paused = delivery.canarySteps.reduce((sum, step) => sum + step.pauseSeconds, 0);
  if (paused > MAX_CANARY_PAUSE_SECONDS) {
    problems.push(
      `app.delivery.canarySteps: pauses of ${paused} s in total are not allowed (at most ` +
        `${MAX_CANARY_PAUSE_SECONDS} s, so that a release takes under 5 minutes)`,
    );
  }
  return problems;
}

function nodeGroupProblems(config: EnvironmentConfig): string[] {
  return Object.entries(config.eks.nodeGroups).flatMap(([group, sizes]) =>
    sizes.minSize <= sizes.desiredSize && sizes.desiredSize <= sizes.maxSize
      ? []
      : [
          `eks.nodeGroups.${group}: min ${sizes.minSize}, desired ${sizes.desiredSize}, max ${sizes.maxSize} ` +
            'is not allowed (minSize <= desiredSize <= maxSize)',
        ],
  );
}

function nodeAmiProblems(config: EnvironmentConfig): string[] {
  const { nodeAmiReleaseVersion: release, kubernetesVersion } = config.eks;
  const minor = release === undefined ? undefined : NODE_AMI_RELEASE_VERSION.exec(release)?.[1];
  return minor === undefined || minor === kubernetesVersion
    ? []
    : [
        `eks.nodeAmiReleaseVersion: "${release}" is not allowed (a release for Kubernetes ${kubernetesVersion}, ` +
          `the cluster's eks.kubernetesVersion, e.g. ${kubernetesVersion}.<patch>-<YYYYMMDD>)`,
      ];
}

function warehouseProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const blocks: { path: string; block: NonNullable<ReturnType<typeof parseCidr>> }[] = [];
  (config.app.warehouses ?? []).forEach((warehouse, index) => {
    if (names.has(warehouse.name)) {
      problems.push(
        `app.warehouses[${index}].name: "${warehouse.name}" is not allowed (used twice; names are unique)`,
      );
    }
    names.add(warehouse.name);
    warehouse.cidrs.forEach((cidr, cidrIndex) => {
      const path = `app.warehouses[${index}].cidrs[${cidrIndex}]`;
      const problem = cidrProblem(cidr, 8, 32, 'an IPv4 CIDR from /8 to /32 such as 198.51.100.7/32');
      if (problem) {
        problems.push(`${path}: ${problem}`);
        return;
      }
      const block = parseCidr(cidr) as NonNullable<ReturnType<typeof parseCidr>>;
      const clash = blocks.find((other) => overlaps(other.block, block));
      if (clash)
        problems.push(`${path}: "${cidr}" is not allowed (it overlaps ${clash.path}; a request counts once)`);
      blocks.push({ path, block });
    });
  });
  (config.app.partners ?? []).forEach((partner, index) =>
    partner.cidrs.forEach((cidr, cidrIndex) => {
      const problem = cidrProblem(cidr, 8, 32, 'an IPv4 CIDR from /8 to /32 such as 192.0.2.0/24');
      if (problem) problems.push(`app.partners[${index}].cidrs[${cidrIndex}]: ${problem}`);
    }),
  );
  return problems;
}

function endpointCidrProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  config.eks.endpointPublicAccessCidrs.forEach((cidr, index) => {
    const path = `eks.endpointPublicAccessCidrs[${index}]`;
    const problem = cidrProblem(cidr, 0, 32, 'an IPv4 CIDR such as 203.0.113.0/24');
    if (problem) problems.push(`${path}: ${problem}`);
    else if (parseCidr(cidr)?.prefix === 0 && config.production) {
      problems.push(
        `${path}: "${cidr}" is not allowed in production (a CIDR narrower than the whole internet)`,
      );
    }
  });
  return problems;
}

function accessRoleProblems(config: EnvironmentConfig): string[] {
  return Object.entries(config.eks.accessRoles).flatMap(([role, arn]) =>
    arn.startsWith(`arn:aws:iam::${config.awsAccountId}:`)
      ? []
      : [`eks.accessRoles.${role}: "${arn}" is not allowed (a role of account ${config.awsAccountId})`],
  );
}

function runnerConnectionProblems(config: EnvironmentConfig): string[] {
  const arn = config.ci.runner.connectionArn;
  // Connections are global (usable from any region) but belong to one account.
  return arn.split(':')[4] === config.awsAccountId
    ? []
    : [`ci.runner.connectionArn: "${arn}" is not allowed (a connection of account ${config.awsAccountId})`];
}

function replicaProblems(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  for (const name of ['api', 'web'] as const) {
    const { minReplicas, maxReplicas } = config.app[name];
    if (minReplicas > maxReplicas) {
      problems.push(`app.${name}: minReplicas ${minReplicas} is above maxReplicas ${maxReplicas}`);
    }
    if (config.production && minReplicas < 2)
      invariantProblem(problems, `app.${name}.minReplicas`, minReplicas, 'at least 2');
  }
  return problems;
}

function logRetentionProblems(config: EnvironmentConfig): string[] {
  const { network } = config;
  const minRetention = config.production ? MIN_LOG_RETENTION_DAYS.production : MIN_LOG_RETENTION_DAYS.other;
  return (['flowLogRetentionDays', 'wafLogRetentionDays'] as const).flatMap((field) => {
    const days = network[field];
    return days !== undefined && days < minRetention
      ? [
          `network.${field}: ${days} is not allowed ` +
            `(at least ${minRetention}${config.production ? ' in production' : ''}: the guardrails' CKV_AWS_338)`,
        ]
      : [];
  });
}

function cdnProblems(config: EnvironmentConfig): string[] {
  const { cdn } = config;
  if (!cdn) return [];
  const problems: string[] = [];
  const ttls = [
    ['staticMinTtlSeconds', cdn.staticMinTtlSeconds ?? DEFAULT_STATIC_TTL_SECONDS.min],
    ['staticDefaultTtlSeconds', cdn.staticDefaultTtlSeconds ?? DEFAULT_STATIC_TTL_SECONDS.default],
    ['staticMaxTtlSeconds', cdn.staticMaxTtlSeconds ?? DEFAULT_STATIC_TTL_SECONDS.max],
  ] as const;
  for (let i = 1; i < ttls.length; i++) {
    const [lowerField, lower] = ttls[i - 1];
    const [field, value] = ttls[i];
    if (value < lower) {
      problems.push(`cdn.${field}: ${value} is not allowed (at least cdn.${lowerField}, ${lower})`);
    }
  }
  (cdn.uncachedPathPatterns ?? []).forEach((pattern, index, patterns) => {
    if (patterns.indexOf(pattern) !== index) {
      problems.push(
        `cdn.uncachedPathPatterns[${index}]: ${show(pattern)} is not allowed (each pattern once)`,
      );
    }
  });
  if (cdn.servesDomain && !cdn.enabled) {
    problems.push('cdn.servesDomain: true is not allowed (only with cdn.enabled: true)');
  }
  if (cdn.cloudfrontOnly && !cdn.servesDomain) {
    problems.push(
      'cdn.cloudfrontOnly: true is not allowed (only with cdn.servesDomain: true: until the distribution serves ' +
        'the domain, clients reach the load balancer directly)',
    );
  }
  return problems;
}

function readerProblems(config: EnvironmentConfig): string[] {
  const { database, availabilityZones: azs } = config;
  return database.readers >= azs.length
    ? [
        `database.readers: ${database.readers} is not allowed (at most ${azs.length - 1}: ` +
          `each reader needs an AZ other than the writer's and the other readers')`,
      ]
    : [];
}

/** The production invariants, one rule each so that each runs when its own field is valid. */
function productionInvariants(): FieldRule[] {
  const invariant = (
    field: string,
    broken: (config: EnvironmentConfig) => boolean,
    value: (config: EnvironmentConfig) => unknown,
    allowed: string,
  ): FieldRule => ({
    summary: `${field}: ${allowed} in production`,
    reads: ['production', field],
    check: (config) => {
      const problems: string[] = [];
      if (config.production && broken(config)) invariantProblem(problems, field, value(config), allowed);
      return problems;
    },
  });
  return [
    invariant(
      'network.natGateways',
      (c) => c.network.natGateways !== 'per-az',
      (c) => c.network.natGateways,
      '"per-az"',
    ),
    invariant(
      'database.deletionProtection',
      (c) => !c.database.deletionProtection,
      () => false,
      'true',
    ),
    invariant(
      'database.readers',
      (c) => c.database.readers < 2,
      (c) => c.database.readers,
      'at least 2, for a multi-AZ cluster',
    ),
    invariant(
      'database.backupRetentionDays',
      (c) => c.database.backupRetentionDays < 14,
      (c) => c.database.backupRetentionDays,
      '14 to 35',
    ),
    invariant(
      'eks.deletionProtection',
      (c) => !c.eks.deletionProtection,
      () => false,
      'true',
    ),
    invariant(
      'database.backup.copyRegion',
      (c) => !c.database.backup.copyRegion,
      () => undefined,
      'a second region',
    ),
    invariant(
      'database.backup.restoreTesting',
      (c) => !c.database.backup.restoreTesting,
      () => false,
      'true',
    ),
    invariant(
      'app.loadBalancerDeletionProtection',
      (c) => c.app.loadBalancerDeletionProtection === false,
      () => false,
      'true',
    ),
    invariant(
      'eks.controllerReplicas',
      (c) => (c.eks.controllerReplicas ?? 2) < 2,
      (c) => c.eks.controllerReplicas,
      'at least 2',
    ),
    invariant(
      'monitoring.grafana.sso',
      (c) => c.monitoring.grafana?.sso === undefined,
      () => undefined,
      'single sign-on (issuerUrl, clientId, clientSecretRef, allowedGroups): no shared admin login on the internet',
    ),
    invariant(
      'monitoring.replicas',
      (c) => (c.monitoring.replicas ?? 2) < 2,
      (c) => c.monitoring.replicas,
      'at least 2',
    ),
    invariant(
      'eks.nodeAmiReleaseVersion',
      (c) => c.eks.nodeAmiReleaseVersion === undefined,
      () => undefined,
      'a pinned AMI release (nodes identical to those tested in staging)',
    ),
    invariant(
      'alerting.pageCritical',
      (c) => c.alerting.pageCritical === false,
      () => false,
      'true',
    ),
    invariant(
      'alerting.heartbeatSecret',
      (c) => c.alerting.heartbeatSecret === undefined,
      () => undefined,
      "a dead-man's-switch heartbeat",
    ),
    invariant(
      'alerting.alarmTopic.pagerDutyUrlParameter',
      (c) => c.alerting.alarmTopic.pagerDutyUrlParameter === undefined,
      () => undefined,
      'a PagerDuty subscription',
    ),
    invariant(
      'database.backup.vaultLock',
      (c) => (c.database.backup.vaultLock ?? 'compliance') !== 'compliance',
      (c) => c.database.backup.vaultLock,
      '"compliance"',
    ),
    invariant(
      'baseline.trailLockMode',
      (c) => (c.baseline?.trailLockMode ?? 'COMPLIANCE') !== 'COMPLIANCE',
      (c) => c.baseline?.trailLockMode,
      '"COMPLIANCE"',
    ),
    invariant(
      'schedule',
      (c) => c.schedule !== undefined,
      (c) => c.schedule,
      'absent',
    ),
    invariant(
      'cdn.enabled',
      (c) => c.cdn?.enabled !== true,
      (c) => c.cdn?.enabled,
      'true: CloudFront with its web ACL in front of the load balancer',
    ),
    invariant(
      'monitoring.size',
      (c) => (c.monitoring.size ?? 'large') !== 'large',
      (c) => c.monitoring.size,
      '"large"',
    ),
  ];
}

function invariantProblem(problems: string[], path: string, value: unknown, allowed: string): void {
  problems.push(
    value === undefined
      ? `${path}: missing (required in production: ${allowed})`
      : `${path}: ${show(value)} is not allowed in production (${allowed})`,
  );
}

/** The rules across environments, in one line each, for the generated reference. */
export const CROSS_ENVIRONMENT_RULES: readonly string[] = [
  'name: unique across environments',
  "network.vpcCidr: disjoint from every other environment's (so they can be peered later)",
  'state.bucket, state.region, state.bootstrapBackend: the same for every environment of one AWS account (its bootstrap stack creates one state bucket)',
  'app.images.api, app.images.web: one registry host for every environment (the ECR registry account holds the repositories and push roles)',
  'baseline: the same for every environment of one AWS account (one baseline stack per account)',
];

/**
 * Rules across environments: unique names, non-overlapping VPC CIDRs (so they can be peered later), and one state
 * bucket per AWS account (its bootstrap stack creates one: `state.bucket`, `state.region` and
 * `state.bootstrapBackend` agree among the environments of an account), and one image registry for all.
 */
export function crossEnvironmentProblems(
  configs: readonly { readonly source: string; readonly config: EnvironmentConfig }[],
): string[] {
  const problems: string[] = [];
  configs.forEach(({ source, config }, index) => {
    const first = configs.find((candidate) => candidate.config.awsAccountId === config.awsAccountId);
    if (first && first !== configs[index]) sameAccountProblems(problems, source, config, first);
    for (const other of configs.slice(0, index)) {
      if (other.config.name === config.name) {
        problems.push(`${source}: name: "${config.name}" is already used by ${other.source}`);
      }
      const a = parseCidr(config.network.vpcCidr);
      const b = parseCidr(other.config.network.vpcCidr);
      if (a && b && overlaps(a, b)) {
        problems.push(
          `${source}: network.vpcCidr: "${config.network.vpcCidr}" overlaps ` +
            `${other.source} (${other.config.network.vpcCidr}); environments need disjoint CIDRs`,
        );
      }
    }
  });
  registryProblems(problems, configs);
  return problems;
}

/**
 * One registry every environment pulls from: the host of `app.images.api` and `app.images.web` (for ECR, the
 * registry account and region) is the same everywhere, so an image that ran in one environment is the image the
 * next one pulls.
 */
function registryProblems(
  problems: string[],
  configs: readonly { readonly source: string; readonly config: EnvironmentConfig }[],
): void {
  const [first] = configs;
  if (!first) return;
  const host = (image: string) => image.split('/')[0];
  const expected = host(first.config.app.images.api);
  for (const { source, config } of configs) {
    for (const field of ['api', 'web'] as const) {
      const image = config.app.images[field];
      if (host(image) !== expected) {
        problems.push(
          `${source}: app.images.${field}: "${image}" is not allowed (one registry for every environment: ` +
            `${expected} as in ${first.source})`,
        );
      }
    }
  }
}

/** The environments of one account share its state bucket: each state field must match the first one's. */
function sameAccountProblems(
  problems: string[],
  source: string,
  config: EnvironmentConfig,
  first: { readonly source: string; readonly config: EnvironmentConfig },
): void {
  const fields = {
    'state.bucket': (c: EnvironmentConfig) => c.state.bucket,
    'state.region': (c: EnvironmentConfig) => c.state.region,
    'state.bootstrapBackend': (c: EnvironmentConfig) => c.state.bootstrapBackend ?? 'local',
    baseline: (c: EnvironmentConfig) => JSON.stringify(c.baseline ?? {}),
  };
  for (const [path, read] of Object.entries(fields)) {
    if (read(config) !== read(first.config)) {
      problems.push(
        `${source}: ${path}: ${path === 'baseline' ? read(config) : `"${read(config)}"`} is not allowed ` +
          `(account ${config.awsAccountId} has one ${path === 'baseline' ? 'baseline' : 'state bucket'}: ` +
          `${path === 'baseline' ? read(first.config) : `"${read(first.config)}"`} as in ${first.source})`,
      );
    }
  }
}
