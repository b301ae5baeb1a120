import { Testing } from 'cdktf';
import type { EnvironmentConfig } from '../../config/environment';
import { AppStack } from '../../stacks/app-stack';
import { ClusterConfigStack } from '../../stacks/cluster-config-stack';
import { ClusterServicesStack } from '../../stacks/cluster-services-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { stackNames } from '../../assembly/synthesize';
import { committedEnvironment } from '../support/environments';
import { synthesizedAppStacks } from '../support/app';
import { listOfType, stableForSnapshot } from '../support/synth';
import type { SynthesizedStack } from '../support/synth';

/** The app stack of a config, alone (cross-stack references stay tokens, which is fine for comparisons). */
function synthApp(config: EnvironmentConfig): SynthesizedStack {
  const app = Testing.app();
  const platform = new PlatformStack(app, 'platform', { config });
  const clusterServices = new ClusterServicesStack(app, 'services', { config, platform });
  const clusterConfig = new ClusterConfigStack(app, 'config', { config, platform, clusterServices });
  return JSON.parse(
    Testing.synth(new AppStack(app, 'app', { config, platform, clusterConfig })),
  ) as SynthesizedStack;
}

type Resources = Record<string, Record<string, unknown>>;

/** Paths (type.id.attribute...) whose values differ between two syntheses. */
function changedPaths(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      changedPaths(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        path ? `${path}.${key}` : key,
      ),
    );
  }
  return [path];
}

describe.each(['dev', 'staging', 'prod'])('AppStack %s', (environment) => {
  const json = synthesizedAppStacks()[stackNames(environment).app];

  it('matches the reviewed snapshot', () => {
    expect(stableForSnapshot(json)).toMatchSnapshot();
  });

  it('snapshots the database before the migration Job, and switches traffic only after the Job', () => {
    const [snapshot] = Object.keys((json.resource as Record<string, Resources>).aws_db_cluster_snapshot);
    const [job] = listOfType(json, 'kubernetes_job_v1');
    expect(job.depends_on).toContain(`aws_db_cluster_snapshot.${snapshot}`);
    expect(job.wait_for_completion).toBe(true);
    const jobAddress = `kubernetes_job_v1.${Object.keys((json.resource as Record<string, Resources>).kubernetes_job_v1)[0]}`;
    const templates = listOfType(json, 'kubernetes_deployment_v1');
    expect(templates).toHaveLength(2);
    for (const template of templates) expect(template.depends_on).toContain(jobAddress);
  });

  it("moves the blue/green release's live Services to the stable Services (same names): updated in place", () => {
    expect(json.moved).toEqual([
      {
        from: 'kubernetes_service_v1.Wms_ApiLiveService_AC8AC5DF',
        to: expect.stringMatching(/^kubernetes_service_v1\.Wms_Api_Service_[0-9A-F]{8}$/),
      },
      {
        from: 'kubernetes_service_v1.Wms_WebLiveService_A0F93959',
        to: expect.stringMatching(/^kubernetes_service_v1\.Wms_Web_Service_[0-9A-F]{8}$/),
      },
    ]);
    for (const { to } of json.moved as { to: string }[]) {
      const [type, id] = to.split('.');
      expect((json.resource as Record<string, Resources>)[type][id]).toBeDefined();
    }
  });

  it('keeps the API and the migration off Spot (required affinity, no toleration), and puts the web on Spot', () => {
    const specs = Object.fromEntries(
      [...listOfType(json, 'kubernetes_deployment_v1'), ...listOfType(json, 'kubernetes_job_v1')].map(
        (row) => {
          const spec = (row as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
          const name = (row as { metadata: { name?: string; generate_name?: string } }).metadata;
          return [name.name ?? name.generate_name ?? '', spec];
        },
      ),
    );
    const required = (spec: Record<string, unknown>) =>
      JSON.stringify(spec.affinity ?? {}).includes('"required_during_scheduling_ignored_during_execution"');
    const api = specs['wms-api'];
    const migration = Object.entries(specs).find(([name]) => name.startsWith('wms-migrate'))?.[1];
    for (const spec of [api, migration]) {
      expect(spec).toBeDefined();
      expect(spec?.toleration).toBeUndefined();
      expect(required(spec ?? {})).toBe(true);
      expect(JSON.stringify(spec?.affinity)).toContain(
        '{"key":"karpenter.sh/capacity-type","operator":"NotIn","values":["spot"]}',
      );
    }
    expect(specs['wms-web'].toleration).toEqual([
      expect.objectContaining({ key: 'wms/spot', effect: 'NoSchedule' }),
    ]);
  });

  it('names the snapshot after the migration version', () => {
    const config = committedEnvironment(environment);
    const [snapshot] = listOfType(json, 'aws_db_cluster_snapshot');
    expect(snapshot).toMatchObject({
      db_cluster_identifier: `wms-${environment}-db`,
      db_cluster_snapshot_identifier: `wms-${environment}-db-pre-${config.app.version.replace(/\./g, '-')}`,
    });
  });
});

describe('one pull request is a release', () => {
  it('bumping app.version changes the pod templates, the migration Job and the snapshot: nothing the controller owns', () => {
    const config = committedEnvironment('prod');
    const before = synthApp(config);
    const after = synthApp({ ...config, app: { ...config.app, version: '9.9.9' } });
    const changed = changedPaths(before.resource, after.resource).map((path) =>
      path.replace(/_[0-9A-F]{8}(\.|$)/, '$1'),
    );
    expect(changed.sort()).toEqual(
      [
        'aws_db_cluster_snapshot.PreMigrationSnapshot.db_cluster_snapshot_identifier',
        'kubernetes_deployment_v1.Wms_Api_Deployment.metadata.labels.app.kubernetes.io/version',
        'kubernetes_deployment_v1.Wms_Api_Deployment.spec.template.metadata.labels.app.kubernetes.io/version',
        'kubernetes_deployment_v1.Wms_Api_Deployment.spec.template.spec.container',
        'kubernetes_deployment_v1.Wms_Web_Deployment.metadata.labels.app.kubernetes.io/version',
        'kubernetes_deployment_v1.Wms_Web_Deployment.spec.template.metadata.labels.app.kubernetes.io/version',
        'kubernetes_deployment_v1.Wms_Web_Deployment.spec.template.spec.container',
        'kubernetes_job_v1.Wms_Migration.metadata.labels.app.kubernetes.io/version',
        'kubernetes_job_v1.Wms_Migration.metadata.name',
        'kubernetes_job_v1.Wms_Migration.spec.template.metadata.labels.app.kubernetes.io/version',
        'kubernetes_job_v1.Wms_Migration.spec.template.spec.container',
        'kubernetes_job_v1.Wms_Migration.spec.template.spec.init_container',
      ].sort(),
    );
  });
});

describe('behind the CDN (issue #19 part 3)', () => {
  const ingressOf = (json: SynthesizedStack) =>
    listOfType(json, 'kubernetes_ingress_v1')[0] as {
      metadata: { annotations: Record<string, string> };
      spec: { rule: { host: string }[] };
    };
  const prod = committedEnvironment('prod');

  it('GIVEN the committed prod (runbook step 1) THEN the Ingress answers both hosts, from anywhere, under the main web ACL', () => {
    const json = synthesizedAppStacks()['wms-prod-app'];
    const ingress = ingressOf(json);
    expect(ingress.spec.rule.map((r) => r.host)).toEqual(['wms.example.com', 'origin.wms.example.com']);
    const annotations = ingress.metadata.annotations;
    expect(annotations['alb.ingress.kubernetes.io/wafv2-acl-arn']).toContain('PublicEndpoint_WebAcl_');
    expect(annotations).not.toHaveProperty('alb.ingress.kubernetes.io/security-group-prefix-lists');
    expect(listOfType(synthesizedAppStacks()['wms-dev-app'], 'kubernetes_ingress_v1')).toHaveLength(1);
    expect(ingressOf(synthesizedAppStacks()['wms-dev-app']).spec.rule.map((r) => r.host)).toEqual([
      'dev.wms.example.com',
    ]);
  });

  it('GIVEN cdn.servesDomain THEN the origin web ACL, still both hosts from anywhere (runbook step 3)', () => {
    const json = synthApp({ ...prod, cdn: { ...prod.cdn!, servesDomain: true } });
    const annotations = ingressOf(json).metadata.annotations;
    expect(ingressOf(json).spec.rule.map((r) => r.host)).toEqual([
      'wms.example.com',
      'origin.wms.example.com',
    ]);
    expect(annotations).not.toHaveProperty('alb.ingress.kubernetes.io/security-group-prefix-lists');
    const before = ingressOf(synthApp(prod)).metadata.annotations['alb.ingress.kubernetes.io/wafv2-acl-arn'];
    expect(annotations['alb.ingress.kubernetes.io/wafv2-acl-arn']).not.toBe(before);
  });

  it('GIVEN cdn.cloudfrontOnly THEN only the origin host, HTTPS only, from the looked-up CloudFront prefix list (runbook step 4)', () => {
    const json = synthApp({ ...prod, cdn: { ...prod.cdn!, servesDomain: true, cloudfrontOnly: true } });
    const ingress = ingressOf(json);
    expect(ingress.spec.rule.map((r) => r.host)).toEqual(['origin.wms.example.com']);
    const annotations = ingress.metadata.annotations;
    expect(annotations['alb.ingress.kubernetes.io/security-group-prefix-lists']).toBe(
      '${data.aws_ec2_managed_prefix_list.CloudfrontOriginFacing.id}',
    );
    expect(annotations['alb.ingress.kubernetes.io/listen-ports']).toBe('[{"HTTPS":443}]');
    expect(listOfType({ resource: json.data } as SynthesizedStack, 'aws_ec2_managed_prefix_list')).toEqual([
      { name: 'com.amazonaws.global.cloudfront.origin-facing' },
    ]);
    const before = ingressOf(synthApp(prod)).metadata.annotations['alb.ingress.kubernetes.io/wafv2-acl-arn'];
    expect(annotations['alb.ingress.kubernetes.io/wafv2-acl-arn']).not.toBe(before);
  });
});
