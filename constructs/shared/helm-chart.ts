import { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { propError } from './errors';

/** Properties of a {@link HelmChart}. */
export interface HelmChartProps<Values extends object> {
  /** Release name. */
  readonly releaseName: string;
  /** Namespace of the release (created elsewhere). */
  readonly namespace: string;
  /** Chart repository URL (`https://...` or `oci://...`). */
  readonly repository: string;
  /** Chart name. */
  readonly chart: string;
  /** Exact chart version, e.g. `3.5.0`: never a range, so every plan installs what was reviewed. */
  readonly version: string;
  /** Chart values, typed by the caller and rendered to YAML. */
  readonly values: Values;
  /**
   * Seconds Helm waits for the release's resources (and hooks) to be ready.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Resources the release waits for.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Helm release with the project's safe defaults: pinned version, `atomic` (a failed upgrade rolls back by
 * itself), `cleanup_on_fail`, wait for resources and jobs, a bounded history, and values rendered to YAML with
 * sorted keys so synthesis stays byte-identical. On every synth the guardrails check the values against the chart's
 * interface at this version (WMS_HELM_001, guardrails/chart-catalogue.json): Helm itself ignores unknown keys.
 */
export class HelmChart<Values extends object> extends Construct {
  /** The release (escape hatch). */
  readonly release: Release;

  constructor(scope: Construct, id: string, props: HelmChartProps<Values>) {
    super(scope, id);
    if (!/^\d+\.\d+\.\d+$/.test(props.version)) {
      throw propError(this, 'version', props.version, 'an exact chart version such as 3.5.0');
    }
    this.release = new Release(this, 'Release', {
      name: props.releaseName,
      namespace: props.namespace,
      repository: props.repository,
      chart: props.chart,
      version: props.version,
      values: [renderValues(props.values)],
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      waitForJobs: true,
      timeout: props.timeoutSeconds ?? 600,
      maxHistory: 10,
      dependsOn: props.dependsOn,
    });
  }
}

/** Chart values as YAML: keys sorted, no line folding, no anchors (each value written out in full). */
export function renderValues(values: object): string {
  return stringify(values, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}
