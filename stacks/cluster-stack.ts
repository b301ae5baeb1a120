import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment';
import { eksClusterName } from '../constructs/cluster/eks-cluster';
import type { EnvironmentStackProps } from './environment-stack';
import { defaultTags, EnvironmentStack } from './environment-stack';
import { HELM_STORAGE_DRIVER } from '../shared/eks';

/** The providers of a stack that works inside the cluster. */
export interface ClusterProviders {
  /** AWS, for reading the cluster and for the stack's own AWS resources. */
  readonly aws: AwsProvider;
  /** Kubernetes, authenticated per request with `aws eks get-token`. */
  readonly kubernetes: KubernetesProvider;
  /**
   * Helm (v3 provider shapes: `kubernetes` is an object, `exec` an object inside it).
   * @default - none, when the stack installs no chart
   */
  readonly helm?: HelmProvider;
}

/**
 * Configures the providers of a stack that deploys into the environment's EKS cluster: the cluster is read by
 * name (endpoint and CA), and every Kubernetes and Helm request authenticates with a fresh token from
 * `aws eks get-token`, never a static token (it would expire in the middle of a long apply) and never a kubeconfig
 * file (it could point at another cluster: terraform-aws-modules/terraform-aws-eks#713). The token is the
 * identity running Terraform: in CI the job's role, whose cluster access comes from config
 * (`eks.accessRoles.planRoleArn` for pull-request plans, `deployRoleArn` for applies), by hand the admin role.
 */
function configureClusterProviders(
  scope: Construct,
  config: EnvironmentConfig,
  namePrefix: string,
  options: { readonly helm: boolean },
): ClusterProviders {
  const aws = new AwsProvider(scope, 'Aws', {
    region: config.region,
    allowedAccountIds: [config.awsAccountId],
    defaultTags: [{ tags: defaultTags(config) }],
  });
  const clusterName = eksClusterName(namePrefix);
  const cluster = new DataAwsEksCluster(scope, 'Cluster', { name: clusterName });
  const host = cluster.endpoint;
  const clusterCaCertificate = Fn.base64decode(cluster.certificateAuthority.get(0).data);
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'aws',
    args: ['eks', 'get-token', '--cluster-name', clusterName, '--region', config.region],
  };
  const kubernetes = new KubernetesProvider(scope, 'Kubernetes', {
    host,
    clusterCaCertificate,
    exec: [exec],
  });
  const helm = options.helm
    ? new HelmProvider(scope, 'Helm', {
        kubernetes: { host, clusterCaCertificate, exec },
        // Release records in ConfigMaps, so the plan role needs no Secret (HELM_STORAGE_DRIVER says why).
        helmDriver: HELM_STORAGE_DRIVER,
      })
    : undefined;
  return { aws, kubernetes, helm };
}

/**
 * Base of the stacks that deploy into the environment's EKS cluster (cluster services, cluster config, monitoring,
 * app): an {@link EnvironmentStack} whose AWS, Kubernetes and (optionally) Helm providers are configured as
 * described at {@link configureClusterProviders}.
 */
export abstract class ClusterStack extends EnvironmentStack {
  /** The stack's providers. */
  readonly providers: ClusterProviders;

  protected constructor(
    scope: Construct,
    id: string,
    props: EnvironmentStackProps,
    options: { readonly helm: boolean },
  ) {
    super(scope, id, props);
    this.providers = configureClusterProviders(this, props.config, this.namePrefix, options);
  }
}
