import { Testing } from 'cdktf';
import type { EnvironmentConfig } from '../../config/environment';
import { AppStack } from '../../stacks/app-stack';
import { ClusterConfigStack } from '../../stacks/cluster-config-stack';
import { ClusterServicesStack } from '../../stacks/cluster-services-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { stackNames } from '../../assembly/synthesize';
import { committedEnvironment } from '../support/environments';
import { listOfType, stableForSnapshot, synthesizedAppStacks } from '../support/synth';
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
    const live = listOfType(json, 'kubernetes_service_v1').filter((s) =>
      ['wms-api', 'wms-web'].includes((s.metadata as { name: string }).name),
    );
    expect(live).toHaveLength(2);
    for (const service of live) expect(service.depends_on).toContain(jobAddress);
  });

  it('names the snapshot after the migration version', () => {
    const config = committedEnvironment(environment);
    const [snapshot] = listOfType(json, 'aws_db_cluster_snapshot');
    expect(snapshot).toMatchObject({
      db_cluster_identifier: `wms-${environment}-db`,
      db_cluster_snapshot_identifier: `wms-${environment}-db-pre-${config.app.migration.version.replace(/\./g, '-')}`,
    });
  });
});

describe('blue/green flip', () => {
  it('changing only the live colour changes only the live Service selectors and the ingress weights', () => {
    const config = committedEnvironment('prod');
    const blue = synthApp(config);
    const green = synthApp({ ...config, app: { ...config.app, liveColor: 'green' } });
    const changed = changedPaths(blue.resource, green.resource).map((path) =>
      path.replace(/_[0-9A-F]{8}\./, '.'),
    );
    expect(changed.sort()).toEqual([
      'kubernetes_ingress_v1.Wms_Ingress.metadata.annotations.alb.ingress.kubernetes.io/actions.wms-api-blue-green',
      'kubernetes_ingress_v1.Wms_Ingress.metadata.annotations.alb.ingress.kubernetes.io/actions.wms-web-blue-green',
      'kubernetes_service_v1.Wms_ApiLiveService.spec.selector.wms/color',
      'kubernetes_service_v1.Wms_WebLiveService.spec.selector.wms/color',
    ]);
  });
});
