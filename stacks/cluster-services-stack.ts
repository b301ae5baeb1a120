import type { Construct } from 'constructs';
import { ClusterServices } from '../constructs/cluster/cluster-services';
import { ImageAdmission } from '../constructs/cluster/image-admission';
import { ClusterStack } from './cluster-stack';
import type { EnvironmentStackProps } from './environment-stack';
import { defaultTags } from './environment-stack';
import type { PlatformStack } from './platform-stack';

/** Properties of a {@link ClusterServicesStack}. */
export interface ClusterServicesStackProps extends EnvironmentStackProps {
  /** The environment's platform stack: the cluster must exist first, and its outputs configure the charts. */
  readonly platform: PlatformStack;
}

/**
 * `wms-<env>-cluster-services`: the controllers every cluster needs (Helm releases), their namespaces and the
 * default storage class. It installs CRDs, so no custom resource is planned here.
 */
export class ClusterServicesStack extends ClusterStack {
  /** The controllers. */
  readonly services: ClusterServices;
  /** The image admission controller (Kyverno); its policy is in cluster-config. */
  readonly imageAdmission: ImageAdmission;

  constructor(scope: Construct, id: string, props: ClusterServicesStackProps) {
    super(scope, id, props, { helm: true });
    const { config, platform } = props;
    this.addDependency(platform);

    this.services = new ClusterServices(this, 'ClusterServices', {
      clusterName: platform.eks.clusterName,
      clusterEndpoint: platform.eks.endpoint,
      region: config.region,
      vpcId: platform.network.vpcId,
      dnsDomain: config.dnsDomain,
      hostedZoneId: platform.zone.zoneId,
      volumeKmsKeyArn: platform.eks.kmsKeyArn,
      karpenterInterruptionQueue: platform.eks.karpenterQueueName,
      controllerReplicas: config.eks.controllerReplicas,
      resourceTags: defaultTags(config),
    });
    this.imageAdmission = new ImageAdmission(this, 'ImageAdmission', {
      replicas: Math.max(config.eks.controllerReplicas ?? 2, 2),
    });
  }
}
