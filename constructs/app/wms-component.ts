import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { CapacityClass } from '../shared/capacity';
import { propError } from '../shared/errors';
import {
  capacityScheduling,
  EMPTY_DIR_SIZE_LIMIT,
  LABELS,
  MINIMUM_UID,
  PART_OF,
  checkImage,
  checkInteger,
  checkLabelValue,
  checkPath,
  checkResources,
  imageReference,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  unresolved,
} from './private/kubernetes';
import { REQUEST_RATE_METRIC } from '../../shared/autoscaling';
import { CANARY_HASH_ARG } from './wms-analysis-template';
import type { WmsContainerResources, WmsImage } from './workload';

/** Port of every WMS Service (the ALB and in-cluster clients use it; pods listen on their own port). */
export const SERVICE_PORT = 80;

/** Name of the WMS Ingress: the canary Rollouts route through it. */
export const WMS_INGRESS_NAME = 'wms';

/** Name of the container port and of the Service port. */
export const PORT_NAME = 'http';

/** Revisions a rollback returns to without canary steps or analysis (the Rollout's `rollbackWindow`). */
export const ROLLBACK_WINDOW_REVISIONS = 3;

/**
 * The fields the Argo Rollouts controller (and the HPA through it) owns, which Terraform must not fight over:
 * exactly these are ignored. A test pins this list.
 * @see https://argoproj.github.io/argo-rollouts/features/traffic-management/alb/
 */
export const CONTROLLER_OWNED_FIELDS = {
  /** The Rollout (`kubernetes_manifest` computed fields; the provider ignores `lifecycle.ignore_changes`). */
  rollout: [
    // The provider's defaults, kept: the controller annotates and labels its Rollouts.
    'metadata.annotations',
    'metadata.labels',
    // Written by the HPA through the Rollout's /scale subresource.
    'spec.replicas',
  ],
  /**
   * The stable, canary and preview Services: the controller adds `rollouts-pod-template-hash` to the selector,
   * and marks the Service as its own (v1.9.1 `rollout/service.go`).
   */
  service: ['spec[0].selector', 'metadata[0].annotations["argo-rollouts.argoproj.io/managed-by-rollouts"]'],
} as const;

/** One step of a canary: a weight, then a pause. */
export interface WmsCanaryStep {
  /** Percent of the traffic (1-99) the new version gets. */
  readonly weight: number;
  /** Seconds at that weight before the next step. */
  readonly pauseSeconds: number;
}

/** How a new version takes the traffic, and the analysis that aborts it. */
export interface WmsDelivery {
  /** `canary`: ALB weights by `canarySteps`; `blueGreen`: a preview Service, then the whole switch. */
  readonly strategy: 'canary' | 'blueGreen';
  /** The canary's steps, weights increasing. */
  readonly canarySteps: readonly WmsCanaryStep[];
  /** Seconds between two analysis measurements. */
  readonly analysisIntervalSeconds: number;
  /** Measurements of the blue-green pre-promotion analysis. */
  readonly prePromotionMeasurements: number;
}

/** Scaling of one component: HorizontalPodAutoscaler bounds and the PodDisruptionBudget under them. */
export interface WmsScaling {
  /** Fewest pods; the HPA never scales below, and the Deployment starts with this many. */
  readonly minReplicas: number;
  /** Most pods the HPA scales to. */
  readonly maxReplicas: number;
  /** Pods that voluntary disruptions (node drains, upgrades) must leave running; below `minReplicas`. */
  readonly pdbMinAvailable: number;
  /** Average CPU utilisation (percent of the request) the HPA keeps the pods at. */
  readonly targetCpuUtilizationPercent: number;
  /** Average memory utilisation (percent of the request) the HPA keeps the pods at. */
  readonly targetMemoryUtilizationPercent: number;
  /**
   * Requests per second each pod should serve on average: the HPA also scales on the custom metric
   * {@link REQUEST_RATE_METRIC} (served by prometheus-adapter from the component's `http_requests_total`).
   * @default - no request-rate metric (a component without request metrics, such as the web front end)
   */
  readonly targetRequestsPerSecondPerPod?: number;
}

/** Properties of a {@link WmsComponent}. */
export interface WmsComponentProps {
  /** Namespace of every object (a name or a reference to the namespace resource). */
  readonly namespace: string;
  /** Component name, the value of `app.kubernetes.io/name`, e.g. `wms-api`: the Rollout and stable Service. */
  readonly name: string;
  /** How releases take the traffic. */
  readonly delivery: WmsDelivery;
  /**
   * Name of the AnalysisTemplate whose failure aborts a release (it takes the `canary-hash` argument).
   * @default - no analysis: the steps only
   */
  readonly analysisTemplateName?: string;
  /**
   * Creates `<name>-metrics`, a Service selecting every pod of the component whatever its version, labelled
   * `app.kubernetes.io/name: <name>` for the ServiceMonitor (the stable and canary Services are not).
   * @default false
   */
  readonly metricsService?: boolean;
  /** Release version, the value of `app.kubernetes.io/version`, e.g. `1.4.2`. */
  readonly version: string;
  /** Container image. */
  readonly image: WmsImage;
  /** Port the container listens on (above 1023: the container has no capabilities). */
  readonly containerPort: number;
  /** Service account the pods run as (its token is not mounted). */
  readonly serviceAccountName: string;
  /** HPA and PDB settings. */
  readonly scaling: WmsScaling;
  /** Requests and limits of the container. */
  readonly resources: WmsContainerResources;
  /** Path of the startup, readiness and liveness probes and of the ALB health check, e.g. `/health`. */
  readonly healthCheckPath: string;
  /** UID (and GID) the pod runs as, at least 10000. */
  readonly runAsUser: number;
  /** Paths the container writes to, each an `emptyDir` (the root filesystem is read-only), e.g. `['/tmp']`. */
  readonly writablePaths: readonly string[];
  /** Seconds the preStop hook sleeps, so the load balancer deregisters the pod before it stops accepting. */
  readonly preStopSleepSeconds: number;
  /** Seconds a pod gets to stop, counted from the start of the preStop hook; more than `preStopSleepSeconds`. */
  readonly terminationGracePeriodSeconds: number;
  /**
   * ConfigMap whose keys become the container's environment.
   * @default - no environment from a ConfigMap
   */
  readonly configMapName?: string;
  /**
   * Annotations of the pod template (a change rolls the pods), e.g. a hash of the configuration.
   * @default - none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Resources the Deployment is created and updated after (e.g. the migration Job of the release).
   * @default - none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * The capacity the pods may run on: `on-demand` requires a node that is not Spot (critical, e.g. the API);
   * `spot` tolerates the Spot taint and prefers Spot nodes, for replicated stateless pods that survive an
   * interruption (2 minutes' notice, drained by Karpenter through its interruption queue).
   * @default 'on-demand'
   */
  readonly capacity?: CapacityClass;
}

/**
 * One WMS component released progressively by Argo Rollouts: a hardened Deployment that only carries the pod
 * template (Pod Security "restricted", read-only root filesystem, probes, zone and node spread, graceful
 * shutdown; zero replicas of its own), the Rollout that runs it (`workloadRef`) by canary or blue-green, the
 * stable Service (`<name>`) and the canary or preview Service, a CPU HorizontalPodAutoscaler on the Rollout and a
 * PodDisruptionBudget.
 *
 * **Canary**: the Ingress forwards to the stable Service through an ALB action the controller rewrites at each
 * step (`alb.ingress.kubernetes.io/actions.<name>`); the canary's pods scale with its weight; analysis runs in
 * the background from the first step, and a failure aborts: weight 0, all traffic on stable, which stays at
 * full size throughout. **Blue-green**: the new version runs behind the preview Service; the pre-promotion
 * analysis must pass before the active Service switches.
 *
 * The Services carry the ALB health-check path, which takes precedence over the Ingress's.
 * @see https://argoproj.github.io/argo-rollouts/features/specification/
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export class WmsComponent extends Construct {
  /** The Deployment holding the pod template (escape hatch); the Rollout runs its pods. */
  readonly deployment: DeploymentV1;
  /** The Rollout (escape hatch). */
  readonly rollout: Manifest;
  /** The stable (canary) or active (blue-green) Service: the Ingress's backend. */
  readonly service: ServiceV1;
  /** The canary (canary) or preview (blue-green) Service. */
  readonly candidateService: ServiceV1;
  /** The HorizontalPodAutoscaler. */
  readonly autoscaler: HorizontalPodAutoscalerV2;
  /** The PodDisruptionBudget. */
  readonly disruptionBudget: PodDisruptionBudgetV1;
  /** Name of the Deployment, Rollout, stable Service, HPA and PDB: `<name>`. */
  readonly objectName: string;
  /** Name of the canary or preview Service: `<name>-canary` or `<name>-preview`. */
  readonly candidateServiceName: string;
  /** Labels that select this component's pods, whatever their version: name and part-of. */
  readonly selectorLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: WmsComponentProps) {
    super(scope, id);
    const { scaling } = props;
    this.validate(props);

    this.objectName = props.name;
    this.candidateServiceName = `${props.name}-${props.delivery.strategy === 'canary' ? 'canary' : 'preview'}`;
    this.selectorLabels = { [LABELS.name]: props.name, [LABELS.partOf]: PART_OF };
    const metadata = {
      name: this.objectName,
      namespace: props.namespace,
      labels: { ...this.selectorLabels },
    };
    this.deployment = this.createDeployment(props, metadata);

    this.service = this.trafficService(props, 'Service', this.objectName, 'stable');
    this.candidateService = this.trafficService(
      props,
      'CandidateService',
      this.candidateServiceName,
      props.delivery.strategy === 'canary' ? 'canary' : 'preview',
    );
    if (props.metricsService) this.createMetricsService(props);
    this.rollout = this.createRollout(props, metadata);

    this.autoscaler = new HorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata,
      spec: {
        minReplicas: scaling.minReplicas,
        maxReplicas: scaling.maxReplicas,
        scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: this.objectName },
        // The HPA computes a replica count per metric and takes the highest: CPU, memory and, where the
        // component has request metrics, the request rate per pod.
        metric: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: scaling.targetCpuUtilizationPercent },
            },
          },
          {
            type: 'Resource',
            resource: {
              name: 'memory',
              target: { type: 'Utilization', averageUtilization: scaling.targetMemoryUtilizationPercent },
            },
          },
          ...(scaling.targetRequestsPerSecondPerPod === undefined
            ? []
            : [
                {
                  type: 'Pods',
                  pods: {
                    metric: { name: REQUEST_RATE_METRIC },
                    target: {
                      type: 'AverageValue',
                      averageValue: String(scaling.targetRequestsPerSecondPerPod),
                    },
                  },
                },
              ]),
        ],
      },
      dependsOn: [this.rollout],
    });

    this.disruptionBudget = new PodDisruptionBudgetV1(this, 'DisruptionBudget', {
      metadata,
      spec: {
        minAvailable: String(scaling.pdbMinAvailable),
        selector: { matchLabels: { ...this.selectorLabels } },
      },
    });
  }

  /** Checks the props, in the order they are declared; the first problem throws. */
  private validate(props: WmsComponentProps): void {
    const { scaling, delivery } = props;
    if (!unresolved(props.name) && !/^[a-z0-9]([-a-z0-9]{0,53}[a-z0-9])?$/.test(props.name)) {
      throw propError(
        this,
        'name',
        props.name,
        'a DNS label of at most 55 characters, so that <name>-preview is a valid Service name',
      );
    }
    if (delivery.strategy !== 'canary' && delivery.strategy !== 'blueGreen') {
      throw propError(this, 'delivery.strategy', delivery.strategy, 'canary or blueGreen');
    }
    if (delivery.canarySteps.length === 0) {
      throw propError(this, 'delivery.canarySteps', delivery.canarySteps, 'at least one step');
    }
    delivery.canarySteps.forEach((step, index) => {
      const previous = index > 0 ? delivery.canarySteps[index - 1].weight + 1 : 1;
      checkInteger(this, `delivery.canarySteps[${index}].weight`, step.weight, previous, 99);
      checkInteger(this, `delivery.canarySteps[${index}].pauseSeconds`, step.pauseSeconds, 0, 3600);
    });
    checkInteger(this, 'delivery.analysisIntervalSeconds', delivery.analysisIntervalSeconds, 10, 600);
    checkInteger(this, 'delivery.prePromotionMeasurements', delivery.prePromotionMeasurements, 1, 100);
    checkLabelValue(this, 'version', props.version);
    checkImage(this, 'image', props.image);
    checkInteger(this, 'containerPort', props.containerPort, 1024, 65535);
    checkInteger(this, 'scaling.minReplicas', scaling.minReplicas, 1);
    checkInteger(this, 'scaling.maxReplicas', scaling.maxReplicas, scaling.minReplicas);
    checkInteger(this, 'scaling.pdbMinAvailable', scaling.pdbMinAvailable, 0);
    if (scaling.pdbMinAvailable >= scaling.minReplicas) {
      throw propError(
        this,
        'scaling.pdbMinAvailable',
        scaling.pdbMinAvailable,
        `less than scaling.minReplicas (${scaling.minReplicas}), or no node could ever be drained at the minimum`,
      );
    }
    checkInteger(this, 'scaling.targetCpuUtilizationPercent', scaling.targetCpuUtilizationPercent, 1, 100);
    checkInteger(
      this,
      'scaling.targetMemoryUtilizationPercent',
      scaling.targetMemoryUtilizationPercent,
      1,
      100,
    );
    if (scaling.targetRequestsPerSecondPerPod !== undefined) {
      checkInteger(
        this,
        'scaling.targetRequestsPerSecondPerPod',
        scaling.targetRequestsPerSecondPerPod,
        1,
        100000,
      );
    }
    checkResources(this, 'resources', props.resources);
    checkPath(this, 'healthCheckPath', props.healthCheckPath, '/health');
    checkInteger(this, 'runAsUser', props.runAsUser, MINIMUM_UID, 2 ** 31 - 1);
    props.writablePaths.forEach((path, index) => checkPath(this, `writablePaths[${index}]`, path, '/tmp'));
    checkInteger(this, 'preStopSleepSeconds', props.preStopSleepSeconds, 0);
    checkInteger(
      this,
      'terminationGracePeriodSeconds',
      props.terminationGracePeriodSeconds,
      props.preStopSleepSeconds + 1,
    );
  }

  /**
   * A Service the controller points at one version (it adds `rollouts-pod-template-hash` to the selector, which
   * Terraform then leaves alone). Not labelled with the component's name: the ServiceMonitor scrapes the metrics
   * Service, so no pod is scraped twice.
   */
  private trafficService(props: WmsComponentProps, id: string, name: string, role: string): ServiceV1 {
    return new ServiceV1(this, id, {
      metadata: {
        name,
        namespace: props.namespace,
        labels: { [LABELS.partOf]: PART_OF, [LABELS.component]: props.name, 'wms/traffic': role },
        annotations: {
          // Service annotations take precedence over the Ingress's: each target group checks its component.
          'alb.ingress.kubernetes.io/healthcheck-path': props.healthCheckPath,
        },
      },
      lifecycle: { ignoreChanges: [...CONTROLLER_OWNED_FIELDS.service] },
      spec: {
        type: 'ClusterIP',
        selector: { ...this.selectorLabels },
        port: [
          { name: PORT_NAME, port: SERVICE_PORT, targetPort: String(props.containerPort), protocol: 'TCP' },
        ],
      },
    });
  }

  /** `<name>-metrics`: every pod of the component, for the ServiceMonitor (headless: nothing routes through it). */
  private createMetricsService(props: WmsComponentProps): ServiceV1 {
    return new ServiceV1(this, 'MetricsService', {
      metadata: {
        name: `${props.name}-metrics`,
        namespace: props.namespace,
        labels: { ...this.selectorLabels, 'wms/traffic': 'none' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIp: 'None',
        selector: { ...this.selectorLabels },
        port: [
          { name: PORT_NAME, port: SERVICE_PORT, targetPort: String(props.containerPort), protocol: 'TCP' },
        ],
      },
    });
  }

  /**
   * The Rollout: runs the Deployment's pod template (`workloadRef`, the Deployment keeps zero replicas) by the
   * delivery strategy; a stalled rollout (10 minutes without progress, pauses excluded) aborts too.
   */
  private createRollout(
    props: WmsComponentProps,
    metadata: { name: string; namespace: string; labels: Record<string, string> },
  ): Manifest {
    const { delivery } = props;
    const templates = props.analysisTemplateName
      ? {
          templates: [{ templateName: props.analysisTemplateName }],
          args: [{ name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } }],
        }
      : undefined;
    const strategy =
      delivery.strategy === 'canary'
        ? {
            canary: {
              stableService: this.objectName,
              canaryService: this.candidateServiceName,
              trafficRouting: {
                alb: { ingress: WMS_INGRESS_NAME, servicePort: SERVICE_PORT },
              },
              // Stable stays at full size during the canary, so an abort moves the traffic back at once; the
              // canary's pods follow its weight (nothing idles at full size).
              dynamicStableScale: false,
              abortScaleDownDelaySeconds: 30,
              ...(templates ? { analysis: { ...templates, startingStep: 0 } } : {}),
              steps: delivery.canarySteps.flatMap((step) => [
                { setWeight: step.weight },
                ...(step.pauseSeconds > 0 ? [{ pause: { duration: `${step.pauseSeconds}s` } }] : []),
              ]),
            },
          }
        : {
            blueGreen: {
              activeService: this.objectName,
              previewService: this.candidateServiceName,
              autoPromotionEnabled: true,
              scaleDownDelaySeconds: 30,
              ...(templates ? { prePromotionAnalysis: templates } : {}),
            },
          };
    return new Manifest(this, 'Rollout', {
      manifest: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata,
        spec: {
          revisionHistoryLimit: 5,
          minReadySeconds: 10,
          progressDeadlineSeconds: 600,
          progressDeadlineAbort: true,
          // Back to one of the last 3 revisions (the rollback workflow's undo) skips the steps and the analysis:
          // that version already passed them.
          rollbackWindow: { revisions: ROLLBACK_WINDOW_REVISIONS },
          selector: { matchLabels: { ...this.selectorLabels } },
          workloadRef: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: this.objectName,
            scaleDown: 'never',
          },
          strategy,
        },
      },
      computedFields: [...CONTROLLER_OWNED_FIELDS.rollout],
      dependsOn: [this.deployment, this.service, this.candidateService],
    });
  }

  /** The Deployment: rolled out and waited for, spread over zones and nodes, restricted, probed. */
  private createDeployment(
    props: WmsComponentProps,
    metadata: { name: string; namespace: string; labels: Record<string, string> },
  ): DeploymentV1 {
    const podLabels = {
      ...this.selectorLabels,
      [LABELS.instance]: this.objectName,
      [LABELS.version]: props.version,
      [LABELS.managedBy]: 'terraform',
    };
    const port = String(props.containerPort);
    const httpGet = { path: props.healthCheckPath, port };
    const volumes = props.writablePaths.map((path) => ({
      name:
        path
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '') || 'root',
      path,
    }));

    return new DeploymentV1(this, 'Deployment', {
      metadata: { ...metadata, labels: podLabels },
      // The Rollout runs the pods (workloadRef, scaleDown never): this Deployment only holds the template, and
      // Terraform does not wait for a release, which the controller rolls out and analyses on its own.
      waitForRollout: false,
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      spec: {
        replicas: '0',
        revisionHistoryLimit: 5,
        minReadySeconds: 10,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: { ...this.selectorLabels } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '0' } },
        template: {
          metadata: {
            labels: podLabels,
            annotations: props.podAnnotations ? { ...props.podAnnotations } : undefined,
          },
          spec: {
            serviceAccountName: props.serviceAccountName,
            // EKS Pod Identity injects its own projected token volume; the Kubernetes API token is not needed.
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
            securityContext: restrictedPodSecurityContext(props.runAsUser),
            ...capacityScheduling(props.capacity ?? 'on-demand'),
            topologySpreadConstraint: [
              { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
              { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
            ].map((constraint) => ({
              ...constraint,
              maxSkew: 1,
              labelSelector: [{ matchLabels: { ...this.selectorLabels } }],
              // Only the pods of the same ReplicaSet count, so a canary does not skew the spread.
              matchLabelKeys: ['rollouts-pod-template-hash'],
            })),
            container: [
              {
                name: props.name,
                image: imageReference(props.image),
                imagePullPolicy: 'IfNotPresent',
                port: [{ name: PORT_NAME, containerPort: props.containerPort, protocol: 'TCP' }],
                envFrom: props.configMapName ? [{ configMapRef: { name: props.configMapName } }] : undefined,
                resources: {
                  requests: { cpu: props.resources.cpuRequest, memory: props.resources.memoryRequest },
                  limits: { cpu: props.resources.cpuLimit, memory: props.resources.memoryLimit },
                },
                securityContext: restrictedContainerSecurityContext(props.runAsUser),
                // Startup allows 2 minutes; readiness takes the pod out of the target group; liveness restarts it.
                startupProbe: { httpGet, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 24 },
                readinessProbe: { httpGet, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 },
                livenessProbe: { httpGet, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                lifecycle: { preStop: [{ exec: { command: ['sleep', String(props.preStopSleepSeconds)] } }] },
                volumeMount: volumes.map(({ name, path }) => ({ name, mountPath: path })),
              },
            ],
            volume: volumes.map(({ name }) => ({ name, emptyDir: { sizeLimit: EMPTY_DIR_SIZE_LIMIT } })),
          },
        },
      },
    });
  }
}
