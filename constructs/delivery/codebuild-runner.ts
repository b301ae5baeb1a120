import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CodebuildProject } from '@cdktf/provider-aws/lib/codebuild-project';
import { CodebuildWebhook } from '@cdktf/provider-aws/lib/codebuild-webhook';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Construct } from 'constructs';
import type { INetwork } from '../network/network';
import { propError } from '../shared/errors';
import { serviceRole } from '../shared/iam';
import type { PolicyStatement } from '../shared/kms';
import { customerKey, logGroupKeyStatement } from '../shared/kms';
import type { LogRetentionDays } from '../../shared/log-retention';
import { LOG_RETENTION_DAYS } from '../../shared/log-retention';

// GitHub's owner and repository names, no wildcard.
const REPOSITORY = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
// A CodeConnections connection, or one created under its former name CodeStar Connections.
const CONNECTION_ARN =
  /^arn:aws:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/;
// CodeBuild project names: 2-255 characters, a letter or digit first.
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;

/** The webhook event that starts one runner build per queued GitHub Actions job. */
export const RUNNER_WEBHOOK_EVENT = 'WORKFLOW_JOB_QUEUED';

/**
 * What the runner's builds need to place their network interfaces in the VPC (CodeBuild's VPC support). None of
 * these actions supports resource-level permissions.
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface
 */
export const RUNNER_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeDhcpOptions',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
] as const;

/** Properties of a {@link CodebuildRunner}. */
export interface CodebuildRunnerProps {
  /** CodeBuild project name, also in the jobs' `runs-on` label, e.g. `wms-prod-gha-runner`. */
  readonly projectName: string;
  /** AWS account id: scopes the role's trust and the key policy. */
  readonly accountId: string;
  /** AWS region. */
  readonly region: string;
  /** The network: the builds run in its private subnets (egress through its NAT gateways). */
  readonly network: INetwork;
  /** The GitHub repository whose workflow jobs the runner takes, `<owner>/<name>`, e.g. `acme/wms-platform`. */
  readonly repository: string;
  /** ARN of the CodeConnections connection (GitHub App) CodeBuild registers the runners with. */
  readonly connectionArn: string;
  /**
   * Size of each build.
   * @default 'BUILD_GENERAL1_MEDIUM'
   */
  readonly computeType?: string;
  /**
   * The build image: a CodeBuild curated image. Amazon Linux 2023 standard 5.0 ships bash, git, curl, jq, AWS CLI
   * v2 and kubectl (1.35 in aws/aws-codebuild-docker-images `al/x86_64/standard/5.0/Dockerfile`), what the smoke
   * checks and the rollback need; Node and Terraform come from the setup actions.
   * @default 'aws/codebuild/amazonlinux-x86_64-standard:5.0'
   */
  readonly image?: string;
  /**
   * Minutes a build (one job) may run, 5 to 2160. Above the longest `timeout-minutes` of a job that runs on it
   * (the apply: 120), so GitHub, not CodeBuild, ends a job that runs too long.
   * @default 150
   */
  readonly buildTimeoutMinutes?: number;
  /**
   * Days the build logs are kept.
   * @default 365
   */
  readonly logRetentionDays?: LogRetentionDays;
}

/**
 * A CodeBuild-hosted GitHub Actions runner: each job queued with the label
 * `codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}` starts one ephemeral build in the private
 * subnets, with its own security group, which registers as a runner for that job and ends with it.
 *
 * The build's own role may only write its logs, place its network interfaces in the private subnets and use the
 * GitHub connection: the jobs still assume the plan or apply role through GitHub OIDC, so the runner needs no
 * AWS or cluster permission of its own (no EKS access entry). The cluster admits {@link securityGroupId} on 443
 * (`EksCluster.allowEndpointAccessFrom`).
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/action-runner-overview.html
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/vpc-support.html
 */
export class CodebuildRunner extends Construct {
  /** The CodeBuild project (escape hatch). */
  readonly project: CodebuildProject;
  /** The project name. */
  readonly projectName: string;
  /** The `runs-on` label of a job on this runner, with GitHub expressions for the run id and attempt. */
  readonly runsOnLabel: string;
  /** Security group of the builds' network interfaces: no ingress, HTTPS and DNS egress only. */
  readonly securityGroupId: string;
  /** The builds' service role. */
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: CodebuildRunnerProps) {
    super(scope, id);
    this.validate(props);
    this.projectName = props.projectName;
    this.runsOnLabel = `codebuild-${props.projectName}-\${{ github.run_id }}-\${{ github.run_attempt }}`;
    this.securityGroupId = this.createSecurityGroup(props);
    const logGroupName = `/aws/codebuild/${props.projectName}`;
    const logGroupArn = this.createLogGroup(props, logGroupName);
    this.role = serviceRole(this, 'Role', {
      name: props.projectName,
      description: `CodeBuild-hosted GitHub Actions runner ${props.projectName}: logs, VPC interfaces, GitHub connection`,
      service: 'codebuild.amazonaws.com',
      accountId: props.accountId,
      sourceArn: `arn:aws:codebuild:${props.region}:${props.accountId}:project/${props.projectName}`,
      statements: runnerStatements(props, logGroupArn),
    });
    this.project = this.createProject(props, logGroupName);
    new CodebuildWebhook(this, 'Webhook', {
      projectName: this.project.name,
      buildType: 'BUILD',
      // One build per queued job; the job's `runs-on` label names the project, so other jobs start nothing here.
      filterGroup: [{ filter: [{ type: 'EVENT', pattern: RUNNER_WEBHOOK_EVENT }] }],
    });
  }

  private validate(props: CodebuildRunnerProps): void {
    if (!PROJECT_NAME.test(props.projectName)) {
      throw propError(this, 'projectName', props.projectName, '2-255 letters, digits, "-" and "_"');
    }
    if (!REPOSITORY.test(props.repository)) {
      throw propError(this, 'repository', props.repository, 'one repository as <owner>/<name>, no wildcards');
    }
    if (!CONNECTION_ARN.test(props.connectionArn)) {
      throw propError(
        this,
        'connectionArn',
        props.connectionArn,
        'arn:aws:codeconnections:<region>:<account>:connection/<uuid>',
      );
    }
    const timeout = props.buildTimeoutMinutes ?? 150;
    if (!Number.isInteger(timeout) || timeout < 5 || timeout > 2160) {
      throw propError(this, 'buildTimeoutMinutes', timeout, 'an integer from 5 to 2160');
    }
    const retention = props.logRetentionDays ?? 365;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) {
      throw propError(this, 'logRetentionDays', retention, `one of ${LOG_RETENTION_DAYS.join(', ')}`);
    }
  }

  /** No ingress (GitHub reaches the runner through its outbound long poll); HTTPS out, DNS to the VPC resolver. */
  private createSecurityGroup(props: CodebuildRunnerProps): string {
    const group = new SecurityGroup(this, 'SecurityGroup', {
      name: props.projectName,
      description: `CodeBuild-hosted GitHub Actions runner ${props.projectName}`,
      vpcId: props.network.vpcId,
      tags: { Name: props.projectName },
    });
    new VpcSecurityGroupEgressRule(this, 'EgressHttps', {
      securityGroupId: group.id,
      description: 'HTTPS to GitHub, AWS APIs, the Terraform registry and the private EKS endpoint',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });
    for (const protocol of ['tcp', 'udp']) {
      new VpcSecurityGroupEgressRule(this, `EgressDns${protocol.toUpperCase()}`, {
        securityGroupId: group.id,
        description: `DNS (${protocol}) to resolvers in the VPC`,
        ipProtocol: protocol,
        fromPort: 53,
        toPort: 53,
        cidrIpv4: props.network.vpcCidr,
      });
    }
    return group.id;
  }

  /** The build logs, encrypted with their own key. */
  private createLogGroup(props: CodebuildRunnerProps, logGroupName: string): string {
    const key = customerKey(this, 'LogKey', {
      description: `${props.projectName}: build logs`,
      alias: `${props.projectName}-logs`,
      accountId: props.accountId,
      serviceStatements: [logGroupKeyStatement('BuildLogsUse', props.region, props.accountId, logGroupName)],
    });
    const logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      name: logGroupName,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: key.arn,
    });
    return logGroup.arn;
  }

  private createProject(props: CodebuildRunnerProps, logGroupName: string): CodebuildProject {
    const { network } = props;
    return new CodebuildProject(this, 'Project', {
      name: props.projectName,
      description: `Ephemeral GitHub Actions runners of ${props.repository} in the private subnets`,
      serviceRole: this.role.arn,
      buildTimeout: props.buildTimeoutMinutes ?? 150,
      // Runner builds upload nothing: the jobs upload their own artifacts to GitHub.
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        computeType: props.computeType ?? 'BUILD_GENERAL1_MEDIUM',
        image: props.image ?? 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
        imagePullCredentialsType: 'CODEBUILD',
        // No Docker daemon: the jobs run Terraform, kubectl and the AWS CLI only (Security Hub CodeBuild.5).
        privilegedMode: false,
      },
      source: {
        type: 'GITHUB',
        location: `https://github.com/${props.repository}.git`,
        auth: { type: 'CODECONNECTIONS', resource: props.connectionArn },
        // The runner checks out nothing itself; the job's own checkout step does.
        gitCloneDepth: 1,
      },
      vpcConfig: {
        vpcId: network.vpcId,
        subnets: network.privateSubnetIds,
        securityGroupIds: [this.securityGroupId],
      },
      logsConfig: {
        cloudwatchLogs: { status: 'ENABLED', groupName: logGroupName },
        s3Logs: { status: 'DISABLED' },
      },
    });
  }
}

/** The runner role's permissions: its log group, its network interfaces, and the GitHub connection. */
function runnerStatements(props: CodebuildRunnerProps, logGroupArn: string): PolicyStatement[] {
  const { accountId, region, network } = props;
  // The connection's service prefix decides the IAM action prefix (codeconnections or codestar-connections).
  const connectionService = props.connectionArn.split(':')[2];
  return [
    {
      Sid: 'BuildLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `${logGroupArn}:*`,
    },
    { Sid: 'VpcInterfaces', Effect: 'Allow', Action: [...RUNNER_VPC_ACTIONS], Resource: '*' },
    {
      Sid: 'VpcInterfacePermission',
      Effect: 'Allow',
      Action: 'ec2:CreateNetworkInterfacePermission',
      Resource: `arn:aws:ec2:${region}:${accountId}:network-interface/*`,
      Condition: {
        StringEquals: { 'ec2:AuthorizedService': 'codebuild.amazonaws.com' },
        ArnEquals: {
          'ec2:Subnet': network.privateSubnetIds.map(
            (subnetId) => `arn:aws:ec2:${region}:${accountId}:subnet/${subnetId}`,
          ),
        },
      },
    },
    {
      Sid: 'GithubConnection',
      Effect: 'Allow',
      Action: [`${connectionService}:GetConnection`, `${connectionService}:GetConnectionToken`],
      Resource: props.connectionArn,
    },
  ];
}
