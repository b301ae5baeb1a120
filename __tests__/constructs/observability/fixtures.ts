import type { RuleGroupsOptions } from '../../../constructs/observability/alert-rules';
import type { MonitoringTargets } from '../../../constructs/observability/targets';

/** The targets the tests render with: the names the platform uses in prod. */
export const TARGETS: MonitoringTargets = {
  namespace: 'wms',
  apiJob: 'wms-api',
  apiService: 'wms-api',
  probeJob: 'wms-api-probe',
  webProbeJob: 'wms-web-probe',
  databaseProbeJob: 'wms-database-probe',
  cloudwatchExporterJob: 'yace',
  databaseLocalStorageGiB: 64,
};

/** Rule options of the tests. */
export const RULE_OPTIONS: RuleGroupsOptions = {
  ...TARGETS,
  runbookBaseUrl: 'https://github.com/acme/wms-platform/blob/main/docs/runbooks',
};
