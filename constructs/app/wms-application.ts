import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { IngressV1 } from '@cdktf/provider-kubernetes/lib/ingress-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { LimitRangeV1 } from '@cdktf/provider-kubernetes/lib/limit-range-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import type {
  NetworkPolicyV1SpecEgress,
  NetworkPolicyV1SpecIngress,
} from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ResourceQuotaV1 } from '@cdktf/provider-kubernetes/lib/resource-quota-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import type { ITerraformDependable } from 'cdktf';
import { Fn, TerraformStack, dependable } from 'cdktf';
import { Construct } from 'constructs';
import type { IDatabase } from '../database/postgres-database';
import { AWS_REGION } from '../../shared/region';
import type { CapacityClass } from '../shared/capacity';
import { propError } from '../shared/errors';
import { ALB_TLS_POLICY } from '../shared/load-balancer';
import {
  capacityScheduling,
  LABELS,
  EMPTY_DIR_SIZE_LIMIT,
  MINIMUM_UID,
  PART_OF,
  checkCidrs,
  checkImage,
  checkInteger,
  checkLabelValue,
  checkPath,
  checkResources,
  cpuMillicores,
  formatMebibytes,
  formatMillicores,
  imageReference,
  memoryBytes,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  sanitizeVersion,
  unresolved,
} from './private/kubernetes';
import { waitForTcpScript } from './private/wait-for-tcp';
import { parseCidr } from '../../shared/cidr';
import { rollbackBoundProblem } from '../../shared/progressive-delivery';
import type { RollbackTiming } from '../../shared/progressive-delivery';
import type { WmsContainerResources, WmsImage } from './workload';
import { WmsAnalysisTemplate, webAnalysisMetrics } from './wms-analysis-template';
import type { WmsDelivery } from './wms-component';
import { PORT_NAME, SERVICE_PORT, WMS_INGRESS_NAME, WmsComponent } from './wms-component';

/** The namespace of the WMS workloads; the API's EKS Pod Identity association names it. */
export const WMS_NAMESPACE = 'wms';
/** The API's service account; the API's EKS Pod Identity association names it (with {@link WMS_NAMESPACE}). */
export const API_SERVICE_ACCOUNT = 'wms-api';
/**
 * The migration Job's service account: its own EKS Pod Identity role may log in as the migration user (DDL), so
 * the API's pods cannot.
 */
export const MIGRATION_SERVICE_ACCOUNT = 'wms-migrate';
/** Port the API (Node.js) listens on. */
export const API_PORT = 4000;
/** Port the web front end (nginx unprivileged) listens on. */
export const WEB_PORT = 8080;
/** Where the EKS Pod Identity agent serves credentials on every node (its IPv4 link-local address), port 80. */
export const POD_IDENTITY_AGENT = { cidr: '169.254.170.23/32', port: 80 } as const;

/** Log levels the API accepts (pino's). */
export type WmsLogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const LOG_LEVELS: readonly WmsLogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** One release of the WMS: the images both components of a colour run. */
export interface WmsRelease {
  /** Release version, e.g. `1.4.2`: a Kubernetes label value (`app.kubernetes.io/version` of the pods). */
  readonly version: string;
  /** API image. */
  readonly apiImage: WmsImage;
  /** Web front-end image. */
  readonly webImage: WmsImage;
}

/** Delivery of the application: the components' {@link WmsDelivery} and what bounds the rollback time. */
export interface WmsApplicationDelivery
  extends Omit<WmsDelivery, 'prePromotionMeasurements'>, RollbackTiming {
  /**
   * Measurements of the blue-green pre-promotion analysis.
   * @default - failureLimit + 2
   */
  readonly prePromotionMeasurements?: number;
}

/** A partner system the API may call. */
export interface WmsPartnerEgress {
  /** Short name, e.g. `carrier-dhl`, for review and the policy's rule comments. */
  readonly name: string;
  /** The partner's IPv4 CIDRs. */
  readonly cidrs: readonly string[];
  /** TCP ports, e.g. `[443]`. */
  readonly ports: readonly number[];
}

/** The database migration of a release, run as a Job before the release takes traffic. */
export interface WmsMigration {
  /** The release version it migrates to (the release's version); names the Job `wms-migrate-<version>`. */
  readonly version: string;
  /** Image with the migrations and Node.js (the API image of the release): it also runs the connection check. */
  readonly image: WmsImage;
  /**
   * Command that runs the migrations, e.g. `['node', 'dist/migrate.js']`.
   * @default - the image's entrypoint and command
   */
  readonly command?: readonly string[];
  /**
   * PostgreSQL user the migration logs in as with IAM authentication (`DATABASE_USER`), e.g. `wms_migrator`.
   * The IAM role of the `wms-migrate` service account must be allowed `rds-db:connect` as that user.
   * @default - the API's `databaseUser`
   */
  readonly databaseUser?: string;
  /**
   * Seconds the Job may run in total (connection check, retries and migration) before Kubernetes stops it.
   * @default 900
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Requests and limits of the migration container.
   * @default - 250m / 1 CPU, 256Mi / 512Mi memory
   */
  readonly resources?: WmsContainerResources;
}

/** Scaling and container settings of one component. */
export interface WmsComponentOptions {
  /** Fewest pods (at least 2 in production). */
  readonly minReplicas: number;
  /** Most pods. */
  readonly maxReplicas: number;
  /**
   * Pods that voluntary disruptions must leave running; less than `minReplicas`.
   * @default - minReplicas - 1
   */
  readonly pdbMinAvailable?: number;
  /**
   * Average CPU utilisation, percent of the request, the HorizontalPodAutoscaler keeps.
   * @default 70
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Average memory utilisation, percent of the request, the HorizontalPodAutoscaler keeps.
   * @default 80
   */
  readonly targetMemoryUtilizationPercent?: number;
  /**
   * Requests per second each API pod should serve on average: the HPA adds pods above it (custom metric
   * `http_requests_per_second` from prometheus-adapter). API only: the web front end has no request metrics, and
   * setting it there is refused.
   * @default 25 (API)
   */
  readonly targetRequestsPerSecondPerPod?: number;
  /**
   * Requests and limits of the container.
   * @default - API: 250m / 1 CPU, 256Mi / 512Mi memory; web: 50m / 250m CPU, 64Mi / 128Mi memory
   */
  readonly resources?: WmsContainerResources;
  /**
   * Path of the startup, readiness and liveness probes and of the load balancer's health check.
   * @default '/health'
   */
  readonly healthCheckPath?: string;
  /**
   * UID and GID the pods run as (at least 10000).
   * @default - API: 10001; web: 10101 (nginx-unprivileged runs with any UID once its paths are writable)
   */
  readonly runAsUser?: number;
}

/** The database endpoints the API connects to: the RDS Proxy's. {@link IDatabase} satisfies it. */
export type WmsDatabaseEndpoints = Pick<IDatabase, 'proxyEndpoint' | 'proxyReadOnlyEndpoint' | 'port'>;

/** Where the API sends its traces (OpenTelemetry over OTLP/HTTP), and what it says about itself. */
export interface WmsTracing {
  /** The collectors' OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`), e.g. `http://alloy-traces.monitoring.svc.cluster.local:4318`. */
  readonly otlpEndpoint: string;
  /** Namespace of the collectors, which the API's egress policy admits on the endpoint's port. */
  readonly collectorNamespace: string;
  /** Labels of the collectors' pods, for the same policy. */
  readonly collectorPodLabels: Readonly<Record<string, string>>;
  /** The environment's name (`deployment.environment.name` in `OTEL_RESOURCE_ATTRIBUTES`), e.g. `prod`. */
  readonly environment: string;
}

/**
 * CloudFront in front of the load balancer: the load balancer answers the origin host CloudFront connects to and,
 * once the distribution serves the domain, admits only CloudFront.
 */
export interface WmsCdnOrigin {
  /** The host CloudFront connects to, e.g. `origin.wms.example.com` (external-dns publishes it). */
  readonly originHost: string;
  /** ARN of the ACM certificate of `originHost`, added to the HTTPS listener beside `certificateArn` (SNI). */
  readonly certificateArn: string;
  /**
   * Only CloudFront reaches the load balancer (set once the distribution serves `domain` and stale DNS answers
   * expired): the Ingress answers only `originHost` (so external-dns no longer publishes `domain`), and the load
   * balancer listens on HTTPS only, admitting only the prefix list.
   */
  readonly cloudfrontOnly: boolean;
  /**
   * Id of the AWS managed prefix list `com.amazonaws.global.cloudfront.origin-facing` in the region (`pl-...`): the
   * load balancer's inbound rule with `cloudfrontOnly`.
   */
  readonly originFacingPrefixListId: string;
}

/** Properties of a {@link WmsApplication}. */
export interface WmsApplicationProps {
  /** The environment's domain, e.g. `wms.example.com`: the Ingress host; the API is at `https://<domain>/api`. */
  readonly domain: string;
  /** AWS region (`AWS_REGION` of the API). */
  readonly region: string;
  /** What runs: a new release is rolled out by the controller as `delivery` says, and aborted on failed analysis. */
  readonly release: WmsRelease;
  /** How a release takes the traffic, the analysis that aborts it, and the rollback bound's inputs. */
  readonly delivery: WmsApplicationDelivery;
  /** Prometheus base URL the analysis queries, e.g. `http://kps-prometheus.monitoring.svc:9090`. */
  readonly prometheusUrl: string;
  /** The migration Job of the release being rolled out (its version is the release's). */
  readonly migration: WmsMigration;
  /**
   * Resources the migration Job waits for: the manual cluster snapshot of the release (aws_db_cluster_snapshot).
   * An empty list is an explicit choice to migrate without a snapshot.
   */
  readonly migrationDependsOn: readonly ITerraformDependable[];
  /** The API's scaling and container settings. */
  readonly api: WmsComponentOptions;
  /** The web front end's scaling and container settings. */
  readonly web: WmsComponentOptions;
  /** The RDS Proxy endpoints (`DATABASE_HOST`, `DATABASE_READ_HOST`, `DATABASE_PORT`). */
  readonly database: WmsDatabaseEndpoints;
  /** Name of the database (`DATABASE_NAME`), e.g. `wms`. */
  readonly databaseName: string;
  /**
   * PostgreSQL user the API logs in as with IAM authentication (`DATABASE_USER`).
   * @default 'wms_api'
   */
  readonly databaseUser?: string;
  /** Origins the API accepts cross-origin requests from (`CORS_ALLOWED_ORIGINS`), e.g. `https://wms.example.com`. */
  readonly corsAllowedOrigins: readonly string[];
  /**
   * Log level of the API (`LOG_LEVEL`).
   * @default 'info'
   */
  readonly logLevel?: WmsLogLevel;
  /**
   * The API's OpenTelemetry settings (`OTEL_*`): service name `wms-api` (the metrics' `job`, the logs' `app`),
   * every span sent (`parentbased_always_on`: the collectors tail-sample whole traces), resource attributes with
   * the environment; and an egress policy to the collectors.
   * @default - no `OTEL_*` settings and no egress to collectors: the API exports no traces
   */
  readonly tracing?: WmsTracing;
  /** ARN of the ACM certificate for `domain` the load balancer's HTTPS listener uses. */
  readonly certificateArn: string;
  /** ARN of the regional WAFv2 web ACL in front of the load balancer. */
  readonly wafAclArn: string;
  /**
   * CloudFront in front of the load balancer.
   * @default - no CDN: the load balancer serves `domain` to the internet on HTTP (redirected) and HTTPS
   */
  readonly cdn?: WmsCdnOrigin;
  /** S3 bucket receiving the load balancer's access logs (its policy must admit Elastic Load Balancing). */
  readonly accessLogsBucket: string;
  /**
   * Key prefix of the access logs in the bucket.
   * @default 'wms-alb'
   */
  readonly accessLogsPrefix?: string;
  /**
   * Refuses deletion of the load balancer (`deletion_protection.enabled`).
   * @default true
   */
  readonly deletionProtection?: boolean;
  /** CIDRs of the VPC's public subnets, where the load balancer's nodes are: they reach the pods (target-type ip). */
  readonly publicSubnetCidrs: readonly string[];
  /** CIDRs of the VPC's private subnets, where the RDS Proxy is: the API and the migration reach TCP 5432 there. */
  readonly databaseCidrs: readonly string[];
  /**
   * CIDRs where the API reaches AWS APIs on TCP 443: the subnets of the VPC interface endpoints, or `0.0.0.0/0`
   * where AWS APIs go through the NAT gateways.
   */
  readonly awsEndpointCidrs: readonly string[];
  /**
   * Partner systems the API calls (carriers, ERP): their addresses and TCP ports, allowed by the NetworkPolicy
   * `wms-api-partner-egress`. Requests leave through the NAT gateways, whose public addresses partners allow-list.
   * @default - none: the API reaches only the database, DNS, Pod Identity and AWS APIs
   */
  readonly partnerEgress?: readonly WmsPartnerEgress[];
  /**
   * Seconds a stopping pod keeps serving (preStop sleep) while the load balancer deregisters it.
   * @default 15
   */
  readonly preStopSleepSeconds?: number;
  /**
   * Seconds a pod gets to stop, preStop sleep included; the rest is the load balancer's deregistration delay.
   * @default 45
   */
  readonly terminationGracePeriodSeconds?: number;
}

const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ORIGIN = /^https?:\/\/(localhost|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})(:\d{1,5})?$/;
const POSTGRES_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const WAF_ACL_ARN =
  /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[A-Za-z0-9_-]+\/[A-Za-z0-9-]+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_LIST_ID = /^pl-[0-9a-f]{8,17}$/;
const LOG_PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/;
const JOB_PREFIX = 'wms-migrate-';

/** What differs between the two components. */
interface ComponentSpec {
  readonly key: 'api' | 'web';
  readonly name: string;
  readonly port: number;
  readonly defaultUid: number;
  readonly defaultResources: WmsContainerResources;
  readonly writablePaths: readonly string[];
  /** The workload class: on-demand or Spot capacity (constructs/shared/capacity.ts). */
  readonly capacity: CapacityClass;
}

const COMPONENTS: readonly ComponentSpec[] = [
  {
    key: 'api',
    name: 'wms-api',
    port: API_PORT,
    defaultUid: 10001,
    defaultResources: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '512Mi' },
    writablePaths: ['/tmp'],
    // The warehouse's system of record: never on capacity that can be taken back at 2 minutes' notice.
    capacity: 'on-demand',
  },
  {
    key: 'web',
    name: 'wms-web',
    port: WEB_PORT,
    defaultUid: 10101,
    defaultResources: { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
    // nginx-unprivileged keeps its pid file and temp paths in /tmp and its cache in /var/cache/nginx.
    writablePaths: ['/tmp', '/var/cache/nginx'],
    // Static files, stateless, replicated behind a PodDisruptionBudget: an interruption costs a reschedule only.
    capacity: 'spot',
  },
];

const MIGRATION_RESOURCES: WmsContainerResources = {
  cpuRequest: '250m',
  cpuLimit: '1',
  memoryRequest: '256Mi',
  memoryLimit: '512Mi',
};
const WAIT_RESOURCES: WmsContainerResources = {
  cpuRequest: '50m',
  cpuLimit: '200m',
  memoryRequest: '64Mi',
  memoryLimit: '128Mi',
};

/**
 * The WMS application on EKS: namespace `wms` (Pod Security "restricted", quota, limit range, default-deny
 * network policies), the API and web front end as Argo Rollouts, the public ALB Ingress, the API's
 * configuration, the API's analysis template and the per-release database migration Job.
 *
 * **Releases are progressive and hands-free.** Changing `release` (one version bump in config) changes the pod
 * templates; the Argo Rollouts controller then shifts traffic by ALB weights through `delivery.canarySteps`
 * (or previews, analyses and switches, for blue-green) while the API's analysis measures the new pods' 5xx
 * ratio, p95 latency and SLO burn rate; a failure aborts and all traffic returns to the stable version within
 * the rollback bound. Terraform does not wait for the rollout, and leaves the fields the controller owns alone
 * ({@link CONTROLLER_OWNED_FIELDS}, {@link INGRESS_CONTROLLER_ANNOTATIONS}).
 *
 * **Migrations run first.** The migration Job (`wms-migrate-<version>`) waits for `migrationDependsOn` (the
 * release's cluster snapshot), checks that the database is reachable (retrying: the VPC CNI network policy agent
 * can drop a new pod's first packets), runs to completion, and only then do the pod templates change. Migrations
 * must be backward compatible (expand, migrate, contract): the stable version keeps running against the new
 * schema, and an abort returns to it.
 *
 * **No password anywhere.** The API and the migration authenticate to the RDS Proxy with IAM authentication
 * tokens, signed with the credentials EKS Pod Identity gives the `wms-api` service account.
 * @see docs/runbooks/release.md
 * @see https://argoproj.github.io/argo-rollouts/features/traffic-management/alb/
 */
export class WmsApplication extends Construct {
  /** Namespace name, `wms`. */
  readonly namespaceName = WMS_NAMESPACE;
  /** Stable Service of the API, `wms-api` (the controller points it at the stable version). */
  readonly apiServiceName = 'wms-api';
  /** Stable Service of the web front end, `wms-web`. */
  readonly webServiceName = 'wms-web';
  /** The API's service account, `wms-api` (EKS Pod Identity gives it the API's IAM role). */
  readonly apiServiceAccountName = API_SERVICE_ACCOUNT;
  /** Labels on the API's pods and its metrics Service, whatever the version: select them with a ServiceMonitor. */
  readonly apiSelectorLabels: Readonly<Record<string, string>>;
  /** Labels on the web front end's pods, whatever the version. */
  readonly webSelectorLabels: Readonly<Record<string, string>>;
  /** Name of the Service (and container) port of both components, for ServiceMonitor endpoints. */
  readonly servicePortName = PORT_NAME;
  /** The API: Deployment (template), Rollout, Services, HPA and PDB (escape hatches). */
  readonly api: WmsComponent;
  /** The web front end. */
  readonly web: WmsComponent;
  /** The API's AnalysisTemplate. */
  readonly apiAnalysis: WmsAnalysisTemplate;
  /** The web front end's AnalysisTemplate (the health of its new pods). */
  readonly webAnalysis: WmsAnalysisTemplate;
  /** The namespace (escape hatch). */
  readonly namespace: NamespaceV1;
  /** The Ingress (escape hatch). */
  readonly ingress: IngressV1;
  /** The migration Job of `migration.version`. */
  readonly migrationJob: JobV1;
  /** The API's configuration (environment). */
  readonly apiConfig: ConfigMapV1;
  /** The stable Service of the API. */
  readonly apiLiveService: ServiceV1;
  /** The stable Service of the web front end. */
  readonly webLiveService: ServiceV1;

  constructor(scope: Construct, id: string, props: WmsApplicationProps) {
    super(scope, id);
    const preStop = props.preStopSleepSeconds ?? 15;
    const grace = props.terminationGracePeriodSeconds ?? 45;
    const databaseUser = props.databaseUser ?? 'wms_api';
    const migrationUser = props.migration.databaseUser ?? databaseUser;
    const deadline = props.migration.activeDeadlineSeconds ?? 900;
    const migrationResources = props.migration.resources ?? MIGRATION_RESOURCES;
    const logLevel = props.logLevel ?? 'info';
    const logsPrefix = props.accessLogsPrefix ?? 'wms-alb';
    const jobName = `${JOB_PREFIX}${sanitizeVersion(props.migration.version, 63 - JOB_PREFIX.length)}`;

    this.validate(props, { preStop, grace, logLevel, logsPrefix });
    checkPostgresName(this, 'databaseUser', databaseUser);
    checkPostgresName(this, 'migration.databaseUser', migrationUser);
    checkInteger(this, 'migration.activeDeadlineSeconds', deadline, 60, 24 * 3600);
    checkResources(this, 'migration.resources', migrationResources);

    const selectorOf = (name: string) => ({ [LABELS.name]: name, [LABELS.partOf]: PART_OF });
    this.apiSelectorLabels = selectorOf('wms-api');
    this.webSelectorLabels = selectorOf('wms-web');

    this.namespace = this.createNamespace();
    const namespace = this.namespace.metadata.name;

    const serviceAccounts = COMPONENTS.map(
      (component) =>
        new ServiceAccountV1(this, component.key === 'api' ? 'ApiServiceAccount' : 'WebServiceAccount', {
          metadata: { name: component.name, namespace, labels: selectorOf(component.name) },
          // Neither calls the Kubernetes API. EKS Pod Identity (the API's AWS credentials) mounts its own
          // projected token, independently of this setting.
          automountServiceAccountToken: false,
        }),
    );

    // No password anywhere: the API and the migration connect to the RDS Proxy with IAM authentication tokens
    // (DATABASE_IAM_AUTH), which they sign with their Pod Identity credentials at connect time.
    this.apiConfig = new ConfigMapV1(this, 'ApiConfig', {
      metadata: { name: 'wms-api-config', namespace, labels: this.apiSelectorLabels },
      data: {
        NODE_ENV: 'production',
        LOG_LEVEL: logLevel,
        API_URL: `https://${props.domain}/api`,
        CORS_ALLOWED_ORIGINS: props.corsAllowedOrigins.join(','),
        AWS_REGION: props.region,
        DATABASE_HOST: props.database.proxyEndpoint,
        DATABASE_READ_HOST: props.database.proxyReadOnlyEndpoint,
        DATABASE_PORT: String(props.database.port),
        DATABASE_NAME: props.databaseName,
        DATABASE_USER: databaseUser,
        DATABASE_IAM_AUTH: 'true',
        ...(props.tracing === undefined ? {} : otelSettings(props.tracing)),
      },
    });

    const policies = this.networkPolicies(namespace, props);
    const migrationServiceAccount = new ServiceAccountV1(this, 'MigrationServiceAccount', {
      metadata: { name: MIGRATION_SERVICE_ACCOUNT, namespace, labels: selectorOf('wms-migrate') },
      automountServiceAccountToken: false,
    });

    this.migrationJob = this.createMigrationJob(namespace, props, {
      jobName,
      deadline,
      migrationUser,
      migrationResources,
      dependsOn: [...props.migrationDependsOn, migrationServiceAccount, this.apiConfig, ...policies],
    });

    const delivery: WmsDelivery = {
      strategy: props.delivery.strategy,
      canarySteps: props.delivery.canarySteps,
      analysisIntervalSeconds: props.delivery.analysisIntervalSeconds,
      prePromotionMeasurements: props.delivery.prePromotionMeasurements ?? props.delivery.failureLimit + 2,
    };
    this.apiAnalysis = new WmsAnalysisTemplate(this, 'ApiAnalysis', {
      namespace,
      name: 'wms-api',
      prometheusUrl: props.prometheusUrl,
      intervalSeconds: delivery.analysisIntervalSeconds,
      failureLimit: props.delivery.failureLimit,
      count: delivery.strategy === 'blueGreen' ? delivery.prePromotionMeasurements : undefined,
    });
    this.webAnalysis = new WmsAnalysisTemplate(this, 'WebAnalysis', {
      namespace,
      name: 'wms-web',
      prometheusUrl: props.prometheusUrl,
      intervalSeconds: delivery.analysisIntervalSeconds,
      failureLimit: props.delivery.failureLimit,
      count: delivery.strategy === 'blueGreen' ? delivery.prePromotionMeasurements : undefined,
      metrics: webAnalysisMetrics(namespace, 'wms-web'),
    });
    const components = this.createComponents(namespace, props, {
      preStop,
      grace,
      serviceAccounts,
      policies,
      delivery,
    });
    this.api = components.api;
    this.web = components.web;
    this.apiLiveService = this.api.service;
    this.webLiveService = this.web.service;
    this.keepLiveServices();

    this.ingress = this.createIngress(namespace, props, { preStop, grace, logsPrefix }, [
      this.migrationJob,
      ...[this.api, this.web].flatMap((c) => [c.service, c.candidateService]),
    ]);
    // A canary Rollout routes through the Ingress: the controller expects it (and its first action) to exist.
    for (const component of [this.api, this.web]) {
      component.rollout.dependsOn = [...(component.rollout.dependsOn ?? []), dependable(this.ingress)];
    }
    this.createQuota(namespace, props, migrationResources);
  }

  /**
   * The stable Services `wms-api` and `wms-web` are the blue/green release's live Services, moved (same names):
   * Terraform updates them in place instead of deleting and re-creating the Service the load balancer uses.
   * Issue #15.
   */
  private keepLiveServices(): void {
    const stack = TerraformStack.of(this);
    for (const [oldId, service] of [
      ['ApiLiveService', this.api.service],
      ['WebLiveService', this.web.service],
    ] as const) {
      // A construct at the old path gives its logical id (through the public getLogicalId); it renders nothing.
      const oldPath = new Construct(this, oldId);
      service.moveFromId(`kubernetes_service_v1.${stack.getLogicalId(oldPath.node)}`);
    }
  }

  /** Checks the props, in the order they are declared; the first problem throws. */
  private validate(
    props: WmsApplicationProps,
    resolved: {
      preStop: number;
      grace: number;
      logLevel: string;
      logsPrefix: string;
    },
  ): void {
    (props.partnerEgress ?? []).forEach((partner, index) => {
      const field = (name: string) => `partnerEgress[${index}].${name}`;
      if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(partner.name)) {
        throw propError(this, field('name'), partner.name, 'lowercase letters, digits and hyphens');
      }
      // At least /8: a partner is a known network, never "the internet" (that would need an egress proxy).
      if (partner.cidrs.length === 0 || partner.cidrs.some((cidr) => (parseCidr(cidr)?.prefix ?? 0) < 8)) {
        throw propError(this, field('cidrs'), partner.cidrs, 'at least one IPv4 CIDR from /8 to /32');
      }
      if (
        partner.ports.length === 0 ||
        partner.ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)
      ) {
        throw propError(this, field('ports'), partner.ports, 'at least one TCP port from 1 to 65535');
      }
    });
    if (!unresolved(props.domain) && !DOMAIN.test(props.domain)) {
      throw propError(this, 'domain', props.domain, 'a lowercase DNS name such as wms.example.com');
    }
    if (!unresolved(props.region) && !AWS_REGION.test(props.region)) {
      throw propError(this, 'region', props.region, 'an AWS region such as eu-west-1');
    }
    const { release, delivery } = props;
    checkLabelValue(this, 'release.version', release.version);
    checkImage(this, 'release.apiImage', release.apiImage);
    checkImage(this, 'release.webImage', release.webImage);
    checkInteger(this, 'delivery.failureLimit', delivery.failureLimit, 0, 10);
    checkInteger(this, 'delivery.trafficShiftSeconds', delivery.trafficShiftSeconds, 1, 600);
    const bound = rollbackBoundProblem(delivery);
    if (bound) throw new Error(`${this.node.path}: delivery: ${bound}`);

    const migration = props.migration;
    checkLabelValue(this, 'migration.version', migration.version);
    if (!unresolved(migration.version) && migration.version !== release.version) {
      throw propError(
        this,
        'migration.version',
        migration.version,
        `the release's version "${release.version}"`,
      );
    }
    checkImage(this, 'migration.image', migration.image);
    if (
      migration.command !== undefined &&
      (migration.command.length === 0 || migration.command.some((a) => !a))
    ) {
      throw propError(
        this,
        'migration.command',
        migration.command,
        'a non-empty list of non-empty arguments',
      );
    }

    for (const component of COMPONENTS) {
      this.validateComponent(component.key, props[component.key]);
    }

    if (!unresolved(props.database.port)) checkInteger(this, 'database.port', props.database.port, 1, 65535);
    checkPostgresName(this, 'databaseName', props.databaseName);
    props.corsAllowedOrigins.forEach((origin, index) => {
      if (!unresolved(origin) && !ORIGIN.test(origin)) {
        throw propError(
          this,
          `corsAllowedOrigins[${index}]`,
          origin,
          'an origin: http(s)://host[:port], lowercase, no path or wildcard (e.g. https://wms.example.com)',
        );
      }
    });
    if (!LOG_LEVELS.includes(resolved.logLevel as WmsLogLevel)) {
      throw propError(this, 'logLevel', resolved.logLevel, LOG_LEVELS.join(', '));
    }

    const checkArn = (prop: 'certificateArn' | 'wafAclArn', pattern: RegExp, allowed: string) => {
      if (!unresolved(props[prop]) && !pattern.test(props[prop]))
        throw propError(this, prop, props[prop], allowed);
    };
    checkArn(
      'certificateArn',
      CERTIFICATE_ARN,
      'an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>',
    );
    checkArn(
      'wafAclArn',
      WAF_ACL_ARN,
      'a regional WAFv2 web ACL ARN: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>',
    );
    if (props.cdn) this.validateCdn(props.cdn, props.domain);
    if (!unresolved(props.accessLogsBucket) && !BUCKET.test(props.accessLogsBucket)) {
      throw propError(this, 'accessLogsBucket', props.accessLogsBucket, 'an S3 bucket name');
    }
    if (!LOG_PREFIX.test(resolved.logsPrefix) || resolved.logsPrefix.includes('AWSLogs')) {
      throw propError(
        this,
        'accessLogsPrefix',
        resolved.logsPrefix,
        'an S3 key prefix without leading or trailing "/", "," "=" or "AWSLogs", e.g. wms-alb',
      );
    }
    checkCidrs(this, 'publicSubnetCidrs', props.publicSubnetCidrs);
    checkCidrs(this, 'databaseCidrs', props.databaseCidrs);
    checkCidrs(this, 'awsEndpointCidrs', props.awsEndpointCidrs);
    checkInteger(this, 'preStopSleepSeconds', resolved.preStop, 0, 300);
    checkInteger(this, 'terminationGracePeriodSeconds', resolved.grace, resolved.preStop + 1, 3600);
  }

  /** Checks one component's options (production's 2 pods per colour at least is a config invariant). */
  private validateCdn(cdn: WmsCdnOrigin, domain: string): void {
    if (!unresolved(cdn.originHost) && (!DOMAIN.test(cdn.originHost) || cdn.originHost === domain)) {
      throw propError(
        this,
        'cdn.originHost',
        cdn.originHost,
        `a lowercase DNS name other than domain, such as origin.${domain}`,
      );
    }
    if (!unresolved(cdn.certificateArn) && !CERTIFICATE_ARN.test(cdn.certificateArn)) {
      throw propError(
        this,
        'cdn.certificateArn',
        cdn.certificateArn,
        'an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>',
      );
    }
    if (!unresolved(cdn.originFacingPrefixListId) && !PREFIX_LIST_ID.test(cdn.originFacingPrefixListId)) {
      throw propError(
        this,
        'cdn.originFacingPrefixListId',
        cdn.originFacingPrefixListId,
        'a managed prefix list id such as pl-4fa04526',
      );
    }
  }

  private validateComponent(key: 'api' | 'web', options: WmsComponentOptions): void {
    checkInteger(this, `${key}.minReplicas`, options.minReplicas, 1);
    checkInteger(this, `${key}.maxReplicas`, options.maxReplicas, options.minReplicas);
    const pdbMinAvailable = options.pdbMinAvailable ?? options.minReplicas - 1;
    checkInteger(this, `${key}.pdbMinAvailable`, pdbMinAvailable, 0);
    if (pdbMinAvailable >= options.minReplicas) {
      throw propError(
        this,
        `${key}.pdbMinAvailable`,
        pdbMinAvailable,
        `less than ${key}.minReplicas (${options.minReplicas}), or no node could ever be drained at the minimum`,
      );
    }
    checkInteger(
      this,
      `${key}.targetCpuUtilizationPercent`,
      options.targetCpuUtilizationPercent ?? 70,
      1,
      100,
    );
    checkInteger(
      this,
      `${key}.targetMemoryUtilizationPercent`,
      options.targetMemoryUtilizationPercent ?? 80,
      1,
      100,
    );
    if (key === 'web' && options.targetRequestsPerSecondPerPod !== undefined) {
      throw propError(
        this,
        'web.targetRequestsPerSecondPerPod',
        options.targetRequestsPerSecondPerPod,
        'nothing: the web front end exports no request metrics (API only)',
      );
    }
    if (options.targetRequestsPerSecondPerPod !== undefined) {
      checkInteger(
        this,
        `${key}.targetRequestsPerSecondPerPod`,
        options.targetRequestsPerSecondPerPod,
        1,
        100000,
      );
    }
    if (options.resources) checkResources(this, `${key}.resources`, options.resources);
    if (options.healthCheckPath !== undefined)
      checkPath(this, `${key}.healthCheckPath`, options.healthCheckPath, '/health');
    if (options.runAsUser !== undefined)
      checkInteger(this, `${key}.runAsUser`, options.runAsUser, MINIMUM_UID, 2 ** 31 - 1);
  }

  /** The namespace: Pod Security "restricted" enforced, ALB readiness gates injected. */
  private createNamespace(): NamespaceV1 {
    const partOf = { [LABELS.partOf]: PART_OF };
    return new NamespaceV1(this, 'Namespace', {
      metadata: {
        name: WMS_NAMESPACE,
        labels: {
          ...partOf,
          // Pod Security "restricted", enforced (and audited, warned) at the latest profile version.
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'latest',
          // A pod is Ready only once healthy in its ALB target group (target-type ip): zero-downtime rollouts.
          'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled',
        },
      },
    });
  }

  /**
   * The migration Job of the release being rolled out: waits for the database, runs once per version (no TTL:
   * Terraform would run it again), as its own service account (MIGRATION_SERVICE_ACCOUNT).
   */
  private createMigrationJob(
    namespace: string,
    props: WmsApplicationProps,
    options: {
      readonly jobName: string;
      readonly deadline: number;
      readonly migrationUser: string;
      readonly migrationResources: WmsContainerResources;
      readonly dependsOn: ITerraformDependable[];
    },
  ): JobV1 {
    const { jobName, deadline, migrationUser, migrationResources, dependsOn } = options;
    const partOf = { [LABELS.partOf]: PART_OF };
    const apiUid = props.api.runAsUser ?? 10001;
    const envFrom = [{ configMapRef: { name: this.apiConfig.metadata.name } }];
    const migrationLabels = {
      [LABELS.name]: 'wms-migrate',
      ...partOf,
      [LABELS.version]: props.migration.version,
    };
    return new JobV1(this, 'Migration', {
      metadata: { name: jobName, namespace, labels: migrationLabels },
      // Terraform waits for the Job to succeed; a failed migration fails the apply before anything else changes.
      waitForCompletion: true,
      timeouts: {
        create: `${Math.ceil(deadline / 60) + 5}m`,
        update: `${Math.ceil(deadline / 60) + 5}m`,
      },
      dependsOn,
      spec: {
        // No ttlSecondsAfterFinished: Terraform would see the deleted Job as drift and run the migration again
        // (hashicorp/terraform-provider-kubernetes#2531, #2059).
        backoffLimit: 1,
        activeDeadlineSeconds: deadline,
        template: {
          metadata: { labels: migrationLabels },
          spec: {
            restartPolicy: 'Never',
            // A schema migration interrupted half-way is worse than a slow one: on-demand capacity only.
            ...capacityScheduling('on-demand'),
            // Its own identity: its Pod Identity role signs the IAM authentication token of the migration user.
            serviceAccountName: MIGRATION_SERVICE_ACCOUNT,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: restrictedPodSecurityContext(apiUid),
            initContainer: [
              {
                name: 'wait-for-database',
                image: imageReference(props.migration.image),
                command: ['node', '-e', waitForTcpScript('DATABASE_HOST', 'DATABASE_PORT', 30, 2)],
                envFrom,
                resources: resourceBlock(WAIT_RESOURCES),
                securityContext: restrictedContainerSecurityContext(apiUid),
              },
            ],
            container: [
              {
                name: 'migrate',
                image: imageReference(props.migration.image),
                command: props.migration.command ? [...props.migration.command] : undefined,
                envFrom,
                // Overrides the ConfigMap's DATABASE_USER: the migration may log in as its own (DDL) user.
                env: [{ name: 'DATABASE_USER', value: migrationUser }],
                resources: resourceBlock(migrationResources),
                securityContext: restrictedContainerSecurityContext(apiUid),
                volumeMount: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volume: [{ name: 'tmp', emptyDir: { sizeLimit: EMPTY_DIR_SIZE_LIMIT } }],
          },
        },
      },
    });
  }

  /** A {@link WmsComponent} per component, after the migration, each with its service account. */
  private createComponents(
    namespace: string,
    props: WmsApplicationProps,
    options: {
      readonly preStop: number;
      readonly grace: number;
      readonly serviceAccounts: ServiceAccountV1[];
      readonly policies: NetworkPolicyV1[];
      readonly delivery: WmsDelivery;
    },
  ): Record<'api' | 'web', WmsComponent> {
    const { preStop, grace, serviceAccounts, policies, delivery } = options;
    const components = {} as Record<'api' | 'web', WmsComponent>;
    for (const component of COMPONENTS) {
      const options = props[component.key];
      const isApi = component.key === 'api';
      components[component.key] = new WmsComponent(this, capitalize(component.key), {
        namespace,
        name: component.name,
        delivery,
        // The web front end has no request metrics: its analysis watches the health of its new pods.
        analysisTemplateName: (isApi ? this.apiAnalysis : this.webAnalysis).templateName,
        metricsService: isApi,
        version: props.release.version,
        image: isApi ? props.release.apiImage : props.release.webImage,
        containerPort: component.port,
        serviceAccountName: component.name,
        scaling: {
          minReplicas: options.minReplicas,
          maxReplicas: options.maxReplicas,
          pdbMinAvailable: options.pdbMinAvailable ?? options.minReplicas - 1,
          targetCpuUtilizationPercent: options.targetCpuUtilizationPercent ?? 70,
          targetMemoryUtilizationPercent: options.targetMemoryUtilizationPercent ?? 80,
          // Only the API exports http_requests_total, from which prometheus-adapter serves the metric.
          targetRequestsPerSecondPerPod: isApi ? (options.targetRequestsPerSecondPerPod ?? 25) : undefined,
        },
        resources: options.resources ?? component.defaultResources,
        healthCheckPath: options.healthCheckPath ?? '/health',
        runAsUser: options.runAsUser ?? component.defaultUid,
        writablePaths: component.writablePaths,
        preStopSleepSeconds: preStop,
        terminationGracePeriodSeconds: grace,
        capacity: component.capacity,
        ...(isApi
          ? {
              configMapName: this.apiConfig.metadata.name,
              // Rolls the API pods when the configuration changes (the environment is read at start only).
              podAnnotations: { 'wms/config-sha256': Fn.sha256(Fn.jsonencode(this.apiConfig.data)) },
            }
          : {}),
        // New pods start only against the migrated schema.
        dependsOn: [this.migrationJob, serviceAccounts[isApi ? 0 : 1], ...policies],
      });
    }
    return components;
  }

  /** Default deny, then exactly the flows the WMS needs. */
  private networkPolicies(namespace: string, props: WmsApplicationProps): NetworkPolicyV1[] {
    const tcp = (port: number) => ({ port: String(port), protocol: 'TCP' });
    const ipBlocks = (cidrs: readonly string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    const policy = (
      id: string,
      name: string,
      podSelector: Record<string, string>,
      rules: { ingress?: NetworkPolicyV1SpecIngress[]; egress?: NetworkPolicyV1SpecEgress[] },
    ) =>
      new NetworkPolicyV1(this, id, {
        metadata: { name, namespace, labels: { [LABELS.partOf]: PART_OF } },
        spec: {
          podSelector: { matchLabels: podSelector },
          policyTypes: [...(rules.ingress ? ['Ingress'] : []), ...(rules.egress ? ['Egress'] : [])],
          ...rules,
        },
      });
    const api = this.apiSelectorLabels;
    const databaseEgress: NetworkPolicyV1SpecEgress[] = [
      { to: ipBlocks(props.databaseCidrs), ports: [tcp(props.database.port)] },
      // EKS Pod Identity: the agent on every node serves the pod's AWS credentials here.
      { to: ipBlocks([POD_IDENTITY_AGENT.cidr]), ports: [tcp(POD_IDENTITY_AGENT.port)] },
    ];
    return [
      policy('DefaultDenyPolicy', 'default-deny-all', {}, { ingress: [], egress: [] }),
      policy(
        'DnsEgressPolicy',
        'allow-dns-egress',
        {},
        {
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
                },
              ],
              ports: [
                { port: '53', protocol: 'UDP' },
                { port: '53', protocol: 'TCP' },
              ],
            },
          ],
        },
      ),
      // With target-type ip the load balancer's nodes, in the public subnets, connect to the pods directly.
      policy('WebFromLoadBalancerPolicy', 'wms-web-from-load-balancer', this.webSelectorLabels, {
        ingress: [{ from: ipBlocks(props.publicSubnetCidrs), ports: [tcp(WEB_PORT)] }],
      }),
      policy('ApiFromLoadBalancerPolicy', 'wms-api-from-load-balancer', api, {
        ingress: [{ from: ipBlocks(props.publicSubnetCidrs), ports: [tcp(API_PORT)] }],
      }),
      policy('ApiFromPrometheusPolicy', 'wms-api-from-prometheus', api, {
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
                podSelector: { matchLabels: { [LABELS.name]: 'prometheus' } },
              },
            ],
            ports: [tcp(API_PORT)],
          },
        ],
      }),
      policy('ApiEgressPolicy', 'wms-api-egress', api, {
        egress: [
          ...databaseEgress,
          { to: ipBlocks(props.awsEndpointCidrs), ports: [tcp(443)] },
          ...(props.tracing === undefined ? [] : [traceEgress(props.tracing)]),
        ],
      }),
      // Partners (carriers, ERP) from config, one rule per partner: its CIDRs on its ports, nothing else.
      ...((props.partnerEgress ?? []).length > 0
        ? [
            policy('ApiPartnerEgressPolicy', 'wms-api-partner-egress', api, {
              egress: (props.partnerEgress ?? []).map((partner) => ({
                to: ipBlocks(partner.cidrs),
                ports: partner.ports.map((port) => tcp(port)),
              })),
            }),
          ]
        : []),
      policy(
        'MigrationEgressPolicy',
        'wms-migrate-egress',
        { [LABELS.name]: 'wms-migrate', [LABELS.partOf]: PART_OF },
        { egress: databaseEgress },
      ),
    ];
  }

  /**
   * The public Ingress. Canary: each path goes to its stable Service through an ALB action the controller
   * rewrites at every step; Terraform writes the first one (all traffic on stable) and then leaves it alone.
   * Blue-green: each path goes to the active Service, and requests with the header `X-WMS-Preview: true` to the
   * preview Service.
   */
  private createIngress(
    namespace: string,
    props: WmsApplicationProps,
    resolved: { preStop: number; grace: number; logsPrefix: string },
    dependsOn: ITerraformDependable[],
  ): IngressV1 {
    const canary = props.delivery.strategy === 'canary';
    const components = COMPONENTS.map((spec) => ({ spec, component: this[spec.key] }));
    const routing: Record<string, string> = {};
    for (const { component } of components) {
      if (canary) {
        routing[`alb.ingress.kubernetes.io/actions.${component.objectName}`] = JSON.stringify({
          type: 'forward',
          forwardConfig: {
            targetGroups: [
              { serviceName: component.candidateServiceName, servicePort: String(SERVICE_PORT), weight: 0 },
              { serviceName: component.objectName, servicePort: String(SERVICE_PORT), weight: 100 },
            ],
          },
        });
      } else {
        routing[`alb.ingress.kubernetes.io/conditions.${component.candidateServiceName}`] = JSON.stringify([
          { field: 'http-header', httpHeaderConfig: { httpHeaderName: PREVIEW_HEADER, values: ['true'] } },
        ]);
      }
    }
    const attributes = [
      'access_logs.s3.enabled=true',
      `access_logs.s3.bucket=${props.accessLogsBucket}`,
      `access_logs.s3.prefix=${resolved.logsPrefix}`,
      `deletion_protection.enabled=${props.deletionProtection ?? true}`,
      'routing.http.drop_invalid_header_fields.enabled=true',
    ];
    const path = (service: string, prefix: string, port: string) => ({
      path: prefix,
      pathType: 'Prefix',
      backend: { service: { name: service, port: { name: port } } },
    });
    const paths = [
      // The preview paths come first: the load balancer evaluates the rules in this order.
      ...(canary
        ? []
        : [
            path(this.api.candidateServiceName, '/api', PORT_NAME),
            path(this.web.candidateServiceName, '/', PORT_NAME),
          ]),
      path(this.api.objectName, '/api', canary ? 'use-annotation' : PORT_NAME),
      path(this.web.objectName, '/', canary ? 'use-annotation' : PORT_NAME),
    ];
    return new IngressV1(this, 'Ingress', {
      metadata: {
        name: WMS_INGRESS_NAME,
        namespace,
        labels: { [LABELS.partOf]: PART_OF },
        annotations: {
          'alb.ingress.kubernetes.io/scheme': 'internet-facing',
          'alb.ingress.kubernetes.io/target-type': 'ip',
          ...listenerAnnotations(props.cdn),
          'alb.ingress.kubernetes.io/certificate-arn': [
            props.certificateArn,
            ...(props.cdn ? [props.cdn.certificateArn] : []),
          ].join(','),
          // The controller's default policy (ELBSecurityPolicy-2016-08) still accepts TLS 1.0.
          'alb.ingress.kubernetes.io/ssl-policy': ALB_TLS_POLICY,
          'alb.ingress.kubernetes.io/wafv2-acl-arn': props.wafAclArn,
          'alb.ingress.kubernetes.io/load-balancer-attributes': attributes.join(','),
          // The component Services override the path with their component's own.
          'alb.ingress.kubernetes.io/healthcheck-path': '/health',
          'alb.ingress.kubernetes.io/success-codes': '200',
          // In-flight requests get what is left of the grace period after the preStop sleep.
          'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${resolved.grace - resolved.preStop}`,
          ...routing,
        },
      },
      // The apply fails if the controller does not provision the load balancer.
      waitForLoadBalancer: true,
      // The controller owns the canary actions once created (a test pins this list).
      lifecycle: canary
        ? { ignoreChanges: ingressIgnoredFields(components.map((c) => c.component)) }
        : undefined,
      dependsOn,
      spec: {
        ingressClassName: 'alb',
        // external-dns publishes every host of the rules: `domain` leaves them once CloudFront serves it.
        rule: ingressHosts(props.domain, props.cdn).map((host) => ({ host, http: { path: paths } })),
      },
    });
  }

  /**
   * The quota is what the workloads can use at most: both colours at their maximum replicas plus the rolling
   * update's surge, and the migration Job; nothing else (no LoadBalancer or NodePort Services).
   */
  private createQuota(
    namespace: string,
    props: WmsApplicationProps,
    migrationResources: WmsContainerResources,
  ): void {
    const totals = { pods: 0, cpuRequest: 0, cpuLimit: 0, memoryRequest: 0, memoryLimit: 0 };
    const add = (count: number, resources: WmsContainerResources) => {
      totals.pods += count;
      totals.cpuRequest += count * (cpuMillicores(resources.cpuRequest) ?? 0);
      totals.cpuLimit += count * (cpuMillicores(resources.cpuLimit) ?? 0);
      totals.memoryRequest += count * (memoryBytes(resources.memoryRequest) ?? 0);
      totals.memoryLimit += count * (memoryBytes(resources.memoryLimit) ?? 0);
    };
    const largest = { cpu: 0, memory: 0 };
    const track = (resources: WmsContainerResources) => {
      largest.cpu = Math.max(largest.cpu, cpuMillicores(resources.cpuLimit) ?? 0);
      largest.memory = Math.max(largest.memory, memoryBytes(resources.memoryLimit) ?? 0);
    };
    for (const component of COMPONENTS) {
      const options = props[component.key];
      const resources = options.resources ?? component.defaultResources;
      // maxSurge 25%, rounded up, per colour.
      // Two ReplicaSets at most (stable and canary or preview), each up to the maximum plus a quarter of surge.
      add(2 * (options.maxReplicas + Math.ceil(options.maxReplicas / 4)), resources);
      track(resources);
    }
    // A pod's effective request is the larger of its init container's and its containers' (one each here).
    const larger = (a: string, b: string, parse: (q: string) => number | undefined) =>
      (parse(a) ?? 0) >= (parse(b) ?? 0) ? a : b;
    const job: WmsContainerResources = {
      cpuRequest: larger(migrationResources.cpuRequest, WAIT_RESOURCES.cpuRequest, cpuMillicores),
      cpuLimit: larger(migrationResources.cpuLimit, WAIT_RESOURCES.cpuLimit, cpuMillicores),
      memoryRequest: larger(migrationResources.memoryRequest, WAIT_RESOURCES.memoryRequest, memoryBytes),
      memoryLimit: larger(migrationResources.memoryLimit, WAIT_RESOURCES.memoryLimit, memoryBytes),
    };
    add(1, job);
    track(job);

    new ResourceQuotaV1(this, 'ResourceQuota', {
      metadata: { name: 'wms-quota', namespace, labels: { [LABELS.partOf]: PART_OF } },
      spec: {
        hard: {
          pods: String(totals.pods),
          'requests.cpu': formatMillicores(totals.cpuRequest),
          'limits.cpu': formatMillicores(totals.cpuLimit),
          'requests.memory': formatMebibytes(totals.memoryRequest),
          'limits.memory': formatMebibytes(totals.memoryLimit),
          'services.loadbalancers': '0',
          'services.nodeports': '0',
        },
      },
    });

    // Defaults for containers that set nothing (e.g. a debugging pod), capped by the largest WMS container.
    const defaultCpu = Math.min(500, largest.cpu);
    const defaultMemory = Math.min(256 * 2 ** 20, largest.memory);
    new LimitRangeV1(this, 'LimitRange', {
      metadata: { name: 'wms-limits', namespace, labels: { [LABELS.partOf]: PART_OF } },
      spec: {
        limit: [
          {
            type: 'Container',
            max: { cpu: formatMillicores(largest.cpu), memory: formatMebibytes(largest.memory) },
            default: { cpu: formatMillicores(defaultCpu), memory: formatMebibytes(defaultMemory) },
            defaultRequest: {
              cpu: formatMillicores(Math.min(100, defaultCpu)),
              memory: formatMebibytes(Math.min(128 * 2 ** 20, defaultMemory)),
            },
          },
        ],
      },
    });
  }
}

/** Header that sends a request to the preview version (blue-green). */
export const PREVIEW_HEADER = 'X-WMS-Preview';

/**
 * The listeners and who may reach them. Without a CDN, or before it serves the domain: HTTP (redirected) and HTTPS
 * from anywhere. Once CloudFront serves the domain: HTTPS only (CloudFront connects over HTTPS only), admitting
 * only CloudFront's origin-facing addresses; with the prefix list and no `inbound-cidrs`, the controller drops its
 * 0.0.0.0/0 default (aws-load-balancer-controller v3.5.0 docs/guide/ingress/annotations.md). One port also keeps
 * the security group within its rule quota: a prefix list counts as its maximum entries, per port.
 */
function listenerAnnotations(cdn: WmsCdnOrigin | undefined): Record<string, string> {
  return cdn?.cloudfrontOnly
    ? {
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
        'alb.ingress.kubernetes.io/security-group-prefix-lists': cdn.originFacingPrefixListId,
      }
    : {
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
      };
}

/** The hosts the load balancer answers (and external-dns publishes): the domain and/or CloudFront's origin host. */
function ingressHosts(domain: string, cdn: WmsCdnOrigin | undefined): string[] {
  if (!cdn) return [domain];
  return cdn.cloudfrontOnly ? [cdn.originHost] : [domain, cdn.originHost];
}

/**
 * Ingress annotations the Argo Rollouts controller writes (v1.9.1 `utils/ingress/ingress.go`): its list of managed
 * annotations. The ALB action of each canary is also its own once created.
 */
export const INGRESS_CONTROLLER_ANNOTATIONS = ['rollouts.argoproj.io/managed-alb-annotations'] as const;

/** The Ingress fields Terraform ignores with canaries: each stable Service's action, and the controller's list. */
export function ingressIgnoredFields(components: readonly Pick<WmsComponent, 'objectName'>[]): string[] {
  return [
    ...components.map((c) => `alb.ingress.kubernetes.io/actions.${c.objectName}`),
    ...INGRESS_CONTROLLER_ANNOTATIONS,
  ].map((key) => `metadata[0].annotations["${key}"]`);
}

function checkPostgresName(scope: Construct, prop: string, value: string): void {
  if (!unresolved(value) && !POSTGRES_NAME.test(value)) {
    throw propError(scope, prop, value, 'a lowercase PostgreSQL name such as wms_api');
  }
}

function resourceBlock(resources: WmsContainerResources) {
  return {
    requests: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
    limits: { cpu: resources.cpuLimit, memory: resources.memoryLimit },
  };
}

function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/** The API's `OTEL_*` environment (OpenTelemetry SDK environment variables). */
function otelSettings(tracing: WmsTracing): Record<string, string> {
  return {
    OTEL_SERVICE_NAME: 'wms-api',
    OTEL_EXPORTER_OTLP_ENDPOINT: tracing.otlpEndpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_EXPORTER: 'otlp',
    // Every span: the collectors decide per whole trace (errors, slow ones, a baseline).
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${tracing.environment},service.namespace=wms`,
  };
}

/** Egress from the API to the trace collectors' OTLP/HTTP port. */
function traceEgress(tracing: WmsTracing): NetworkPolicyV1SpecEgress {
  const port = new URL(tracing.otlpEndpoint).port;
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': tracing.collectorNamespace } },
        podSelector: { matchLabels: { ...tracing.collectorPodLabels } },
      },
    ],
    ports: [{ port: port === '' ? '80' : port, protocol: 'TCP' }],
  };
}
