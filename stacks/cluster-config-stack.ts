import type { Construct } from 'constructs';
import { PROJECT } from '../config/project';
import { ClusterConfig } from '../constructs/cluster/cluster-config';
import { ImagePolicy } from '../constructs/cluster/image-policy';
import { ClusterStack } from './cluster-stack';
import type { ClusterServicesStack } from './cluster-services-stack';
import type { EnvironmentStackProps } from './environment-stack';
import { defaultTags } from './environment-stack';
import type { PlatformStack } from './platform-stack';

/** Properties of a {@link ClusterConfigStack}. */
export interface ClusterConfigStackProps extends EnvironmentStackProps {
  /** The environment's platform stack (Karpenter's node role and key). */
  readonly platform: PlatformStack;
  /** The stack that installs the CRDs used here. */
  readonly clusterServices: ClusterServicesStack;
}

/**
 * `wms-<env>-cluster-config`: the custom resources of the cluster services (secret store, Karpenter node class
 * and pool), planned only once the stack before has installed their CRDs.
 */
export class ClusterConfigStack extends ClusterStack {
  /** The custom resources. */
  readonly clusterConfig: ClusterConfig;
  /** The image admission policy: only signed images of the one registry. */
  readonly imagePolicy: ImagePolicy;

  constructor(scope: Construct, id: string, props: ClusterConfigStackProps) {
    super(scope, id, props, { helm: false });
    const { config, platform } = props;
    this.addDependency(props.clusterServices);
    this.clusterConfig = new ClusterConfig(this, 'ClusterConfig', {
      clusterName: platform.eks.clusterName,
      region: config.region,
      karpenterNodeRoleName: platform.eks.karpenterNodeRoleName,
      volumeKmsKeyArn: platform.eks.kmsKeyArn,
      karpenterCpuLimit: config.eks.karpenterCpuLimit,
      amiReleaseVersion: config.eks.nodeAmiReleaseVersion,
      spotCpuLimit: config.eks.karpenterSpotCpuLimit,
      nodeTags: defaultTags(config),
    });
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.imagePolicy = new ImagePolicy(this, 'ImagePolicy', {
      registry: config.app.images.api.split('/')[0],
      // Fulcio names a reusable workflow's own path (job_workflow_ref), whichever repository called it.
      signerSubjectRegExp: `^${escaped(`https://github.com/${PROJECT.repository}/.github/workflows/build-image.yml@refs/heads/main`)}$`,
    });
  }
}
