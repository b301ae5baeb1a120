import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { HorizontalPodAutoscalerV2 } from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ServiceV1 } from '@cdktf/provider-kubernetes/lib/service-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { propError } from '../shared/errors';
import {
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
import type { WmsColor, WmsContainerResources, WmsImage } from './workload';

/** Port of every WMS Service (the ALB and in-cluster clients use it; pods listen on their own port). */
export const SERVICE_PORT = 80;

/** Name of the container port and of the Service port. */
export const PORT_NAME = 'http';

/** Scaling of one component and colour: HorizontalPodAutoscaler bounds and the PodDisruptionBudget under them. */
export interface WmsScaling {
  /** Fewest pods; the HPA never scales below, and the Deployment starts with this many. */
  readonly minReplicas: number;
  /** Most pods the HPA scales to. */
  readonly maxReplicas: number;
  /** Pods that voluntary disruptions (node drains, upgrades) must leave running; below `minReplicas`. */
  readonly pdbMinAvailable: number;
  /** Average CPU utilisation (percent of the request) the HPA keeps the pods at. */
  readonly targetCpuUtilizationPercent: number;
}

/** Properties of a {@link WmsComponent}. */
export interface WmsComponentProps {
  /** Namespace of every object (a name or a reference to the namespace resource). */
  readonly namespace: string;
  /** Component name, the value of `app.kubernetes.io/name`, e.g. `wms-api`; objects are named `<name>-<color>`. */
  readonly name: string;
  /** Colour of this copy of the component. */
  readonly color: WmsColor;
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
}

/**
 * One colour of one WMS component: a hardened Deployment (Pod Security "restricted", read-only root filesystem,
 * probes, zone and node spread, zero-downtime rolling updates, graceful shutdown), the ClusterIP Service selecting
 * exactly its pods, a CPU HorizontalPodAutoscaler and a PodDisruptionBudget.
 *
 * The Service carries the ALB health-check path, which takes precedence over the Ingress's (the target group of
 * each colour checks its own component).
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 * @see https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/
 */
export class WmsComponent extends Construct {
  /** The Deployment (escape hatch). */
  readonly deployment: DeploymentV1;
  /** The Service selecting this colour's pods. */
  readonly service: ServiceV1;
  /** The HorizontalPodAutoscaler. */
  readonly autoscaler: HorizontalPodAutoscalerV2;
  /** The PodDisruptionBudget. */
  readonly disruptionBudget: PodDisruptionBudgetV1;
  /** Name of the Deployment, Service, HPA and PDB: `<name>-<color>`. */
  readonly objectName: string;
  /** Labels that select this colour's pods: name, part-of and colour. */
  readonly selectorLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: WmsComponentProps) {
    super(scope, id);
    const { scaling } = props;
    this.validate(props);

    this.objectName = `${props.name}-${props.color}`;
    this.selectorLabels = {
      [LABELS.name]: props.name,
      [LABELS.partOf]: PART_OF,
      [LABELS.color]: props.color,
    };
    const metadata = {
      name: this.objectName,
      namespace: props.namespace,
      labels: { ...this.selectorLabels },
    };
    this.deployment = this.createDeployment(props, metadata);

    this.service = new ServiceV1(this, 'Service', {
      metadata: {
        ...metadata,
        annotations: {
          // Service annotations take precedence over the Ingress's: each colour's target group checks its component.
          'alb.ingress.kubernetes.io/healthcheck-path': props.healthCheckPath,
        },
      },
      spec: {
        type: 'ClusterIP',
        selector: { ...this.selectorLabels },
        port: [
          { name: PORT_NAME, port: SERVICE_PORT, targetPort: String(props.containerPort), protocol: 'TCP' },
        ],
      },
    });

    this.autoscaler = new HorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata,
      spec: {
        minReplicas: scaling.minReplicas,
        maxReplicas: scaling.maxReplicas,
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.objectName },
        metric: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: scaling.targetCpuUtilizationPercent },
            },
          },
        ],
      },
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
    const { scaling } = props;
    if (!unresolved(props.name) && !/^[a-z0-9]([-a-z0-9]{0,55}[a-z0-9])?$/.test(props.name)) {
      throw propError(
        this,
        'name',
        props.name,
        'a DNS label of at most 57 characters, so that <name>-green is a valid Service name',
      );
    }
    if (props.color !== 'blue' && props.color !== 'green') {
      throw propError(this, 'color', props.color, 'blue or green');
    }
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

  /** The Deployment: rolled out and waited for, spread over zones and nodes, restricted, probed. */
  private createDeployment(
    props: WmsComponentProps,
    metadata: { name: string; namespace: string; labels: Record<string, string> },
  ): DeploymentV1 {
    const { scaling } = props;
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
      // Terraform fails the apply when the rollout does not finish, and leaves the old pods serving.
      waitForRollout: true,
      timeouts: { create: '15m', update: '15m' },
      // The HPA owns the replica count after creation; Terraform would otherwise reset it on every apply.
      // https://github.com/hashicorp/terraform-provider-kubernetes/issues/584
      lifecycle: { ignoreChanges: ['spec[0].replicas'] },
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      spec: {
        replicas: String(scaling.minReplicas),
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
            topologySpreadConstraint: [
              { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
              { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
            ].map((constraint) => ({
              ...constraint,
              maxSkew: 1,
              labelSelector: [{ matchLabels: { ...this.selectorLabels } }],
              // Only the pods of the current ReplicaSet count, so a rollout does not skew the spread.
              matchLabelKeys: ['pod-template-hash'],
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
