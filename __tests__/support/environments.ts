import { join } from 'node:path';
import type { EnvironmentConfig } from '../../config/environment';
import { loadEnvironments } from '../../config/load';
import { deepFreeze } from './freeze';

/** The repository's config folder. */
export const CONFIG_DIR = join(__dirname, '..', '..', 'config');

let committed: readonly EnvironmentConfig[] | undefined;

/**
 * The committed environments (dev, prod, staging), loaded and validated like main.ts does: once per test file
 * (parsing and validating them cost tenths of a second, and tests ask for them hundreds of times), and frozen, so
 * that no test or construct can change what the next one reads.
 */
export function committedEnvironments(): EnvironmentConfig[] {
  committed ??= deepFreeze(loadEnvironments({ configDir: CONFIG_DIR }));
  return [...committed];
}

/** One committed environment by name. */
export function committedEnvironment(name: string): EnvironmentConfig {
  const config = committedEnvironments().find((c) => c.name === name);
  if (!config) throw new Error(`no committed environment named ${name}`);
  return config;
}

const ALARMS = {
  cpuPercent: 80,
  freeableMemoryMiB: 512,
  freeLocalStorageGiB: 5,
  replicaLagMs: 2000,
  connections: 100,
  proxyClientConnections: 200,
};

function appConfig(domain: string, minReplicas: number): Record<string, unknown> {
  return {
    images: {
      api: '333333333333.dkr.ecr.eu-west-1.amazonaws.com/wms-api',
      web: '333333333333.dkr.ecr.eu-west-1.amazonaws.com/wms-web',
    },
    version: '1.5.0',
    delivery: {
      strategy: 'canary',
      canarySteps: [
        { weight: 25, pauseSeconds: 30 },
        { weight: 50, pauseSeconds: 30 },
      ],
      analysisIntervalSeconds: 30,
      failureLimit: 1,
      trafficShiftSeconds: 45,
    },
    migration: { command: ['node', 'dist/migrate.js'] },
    api: { minReplicas, maxReplicas: 4 },
    web: { minReplicas, maxReplicas: 4 },
    corsOrigins: [`https://${domain}`],
    logLevel: 'info',
    rateLimitPer5Minutes: 2000,
  };
}

function eksConfig(account: string, deletionProtection: boolean): Record<string, unknown> {
  return {
    kubernetesVersion: '1.35',
    addonVersions: {
      vpcCni: 'v1.21.1-eksbuild.7',
      coredns: 'v1.13.2-eksbuild.4',
      kubeProxy: 'v1.35.3-eksbuild.2',
      podIdentityAgent: 'v1.3.10-eksbuild.3',
      ebsCsiDriver: 'v1.57.1-eksbuild.1',
    },
    endpointPublicAccessCidrs: [],
    accessRoles: {
      adminRoleArn: `arn:aws:iam::${account}:role/admin`,
      readOnlyRoleArn: `arn:aws:iam::${account}:role/readonly`,
      deployRoleArn: `arn:aws:iam::${account}:role/deploy`,
      planRoleArn: `arn:aws:iam::${account}:role/plan`,
    },
    nodeGroups: {
      system: { instanceTypes: ['m6i.large'], minSize: 1, desiredSize: 1, maxSize: 2 },
      spot: { instanceTypes: ['m6i.large', 'm6a.large'], minSize: 0, desiredSize: 1, maxSize: 3 },
    },
    logRetentionDays: 30,
    deletionProtection,
    karpenterCpuLimit: 8,
    karpenterSpotCpuLimit: 4,
  };
}

/** A valid raw environment (as parsed from YAML) to derive bad cases from; a deep copy on every call. */
export function rawEnvironment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'sandbox',
    production: false,
    awsAccountId: '444444444444',
    region: 'eu-west-1',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    dnsDomain: 'sandbox.wms.example.com',
    tags: { owner: 'platform-team', costCentre: 'wms-sandbox' },
    state: { bucket: 'wms-tfstate-444444444444-eu-west-1', region: 'eu-west-1' },
    network: {
      vpcCidr: '10.90.0.0/16',
      natGateways: 'single',
      interfaceEndpoints: false,
      flowLogRetentionDays: 30,
    },
    database: {
      engineMajorVersion: '16',
      instanceClass: 'db.serverless',
      serverless: { minCapacity: 0.5, maxCapacity: 2 },
      readers: 0,
      backupRetentionDays: 1,
      deletionProtection: false,
      slowQueryMs: 500,
      backup: { retentionDays: 7, restoreTesting: false },
      alarms: ALARMS,
    },
    eks: eksConfig('444444444444', false),
    app: appConfig('sandbox.wms.example.com', 1),
    alerting: {
      pagerSecret: 'wms/sandbox/alerting/pager',
      chatSecret: 'wms/sandbox/alerting/chat',
      alarmTopic: { emails: ['sandbox-team@example.com'] },
    },
    monitoring: { grafanaAdminSecret: 'wms/sandbox/grafana/admin', monthlyBudgetUsd: 500 },
    ci: {
      runner: {
        connectionArn:
          'arn:aws:codeconnections:eu-west-1:444444444444:connection/0b6f7a3e-5d1c-4e2a-9f8b-1a2b3c4d5e04',
      },
    },
    ...overrides,
  };
}

/** A valid production raw environment. */
export function rawProduction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return rawEnvironment({
    name: 'live',
    production: true,
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    network: {
      vpcCidr: '10.91.0.0/16',
      natGateways: 'per-az',
      interfaceEndpoints: true,
      flowLogRetentionDays: 365,
    },
    eks: { ...eksConfig('444444444444', true), nodeAmiReleaseVersion: '1.35.6-20260714' },
    app: appConfig('live.wms.example.com', 2),
    alerting: {
      pagerSecret: 'wms/live/alerting/pager',
      chatSecret: 'wms/live/alerting/chat',
      heartbeatSecret: 'wms/live/alerting/heartbeat',
      alarmTopic: { pagerDutyUrlParameter: '/wms/live/alerting/pagerduty-cloudwatch-url' },
    },
    monitoring: {
      grafanaAdminSecret: 'wms/live/grafana/admin',
      monthlyBudgetUsd: 500,
      grafana: {
        sso: {
          issuerUrl: 'https://sso.example.com/realms/wms',
          clientId: 'wms-live-grafana',
          clientSecretRef: 'wms/live/grafana/oidc-client-secret',
          allowedGroups: ['wms-sre'],
        },
      },
    },
    database: {
      engineMajorVersion: '16',
      instanceClass: 'db.r6g.large',
      readers: 2,
      backupRetentionDays: 14,
      deletionProtection: true,
      slowQueryMs: 1000,
      backup: { retentionDays: 35, copyRegion: 'eu-central-1', restoreTesting: true },
      alarms: ALARMS,
    },
    cdn: { enabled: true },
    ...overrides,
  });
}
