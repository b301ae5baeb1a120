import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import type { EnvironmentConfig } from '../config/environment';
import { formatSynthFailure } from '../guardrails/format';
import { checkOutdir } from '../guardrails/load';
import { PROJECT } from '../config/project';
import type { BackendKind } from '../stacks/environment-stack';
import { AppStack } from '../stacks/app-stack';
import { BootstrapStack, bootstrapAccounts, bootstrapStackName } from '../stacks/bootstrap-stack';
import { BaselineStack, baselineAccounts, baselineStackName } from '../stacks/baseline-stack';
import { ClusterConfigStack } from '../stacks/cluster-config-stack';
import { ClusterServicesStack } from '../stacks/cluster-services-stack';
import { MonitoringStack } from '../stacks/monitoring-stack';
import { PlatformStack } from '../stacks/platform-stack';
import { publishOutput, stagingFolder } from './output-publisher';

/** How to synthesize. */
export interface SynthesizeOptions {
  /** The output folder (cdktf's CDKTF_OUTDIR), usually `cdktf.out`. */
  readonly outdir: string;
  /** State backend of every stack. */
  readonly backend: BackendKind;
}

/** Names of an environment's stacks, in dependency order. */
export function stackNames(
  environment: string,
): Record<'platform' | 'clusterServices' | 'clusterConfig' | 'monitoring' | 'app', string> {
  const prefix = `${PROJECT.name}-${environment}`;
  return {
    platform: `${prefix}-platform`,
    clusterServices: `${prefix}-cluster-services`,
    clusterConfig: `${prefix}-cluster-config`,
    monitoring: `${prefix}-monitoring`,
    app: `${prefix}-app`,
  };
}

/** Adds every environment's stacks to the app. */
export function defineStacks(app: App, configs: readonly EnvironmentConfig[], backend: BackendKind): void {
  for (const account of bootstrapAccounts(configs, (environment) => Object.values(stackNames(environment)))) {
    new BootstrapStack(app, bootstrapStackName(account.accountId), { account });
  }
  // Issue 17: each account watches itself (one baseline stack per account, after its bootstrap stack).
  for (const environments of baselineAccounts(configs)) {
    new BaselineStack(app, baselineStackName(environments[0].awsAccountId), { environments, backend });
  }
  for (const config of configs) {
    const names = stackNames(config.name);
    const platform = new PlatformStack(app, names.platform, { config, backend });
    const clusterServices = new ClusterServicesStack(app, names.clusterServices, {
      config,
      backend,
      platform,
    });
    const clusterConfig = new ClusterConfigStack(app, names.clusterConfig, {
      config,
      backend,
      platform,
      clusterServices,
    });
    new MonitoringStack(app, names.monitoring, { config, backend, platform, clusterConfig });
    new AppStack(app, names.app, { config, backend, platform, clusterConfig });
  }
}

/** Synthesis refused by the guardrails: the message lists every finding and what to change. */
export class GuardrailsFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardrailsFailure';
  }
}

/**
 * Runs `build` with the text of stack traces left unformatted. cdktf captures a whole stack trace for every token
 * (references, lazy values, lists), kept only for the message of an error about that token; formatting the traces
 * (Node's default Error.prepareStackTrace) cost about a tenth of the synth time. Errors thrown by `build` itself
 * are formatted as usual: their text is read after the hook is restored.
 */
function withoutTokenTraces(build: () => void): void {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = () => '';
  try {
    build();
  } finally {
    Error.prepareStackTrace = previous;
  }
}

/** Synthesizes every stack of every environment into `outdir` (see {@link synthesizeApp}). */
export function synthesize(configs: readonly EnvironmentConfig[], options: SynthesizeOptions): string[] {
  return synthesizeApp((app) => defineStacks(app, configs, options.backend), options.outdir);
}

/**
 * Synthesizes an app into `outdir`, guarded and all or nothing: the app is synthesized into a staging folder
 * beside `outdir`, the guardrails check the synthesized JSON of every stack, and only when both succeed is the
 * staging folder published as the new content of `outdir` (atomically and under a lock: see
 * {@link publishOutput}). A failure leaves `outdir` as it was. Stacks that no longer exist disappear; each
 * remaining stack keeps what synthesis does not write (its `.terraform` provider cache).
 * @returns the names of the synthesized stacks
 * @throws GuardrailsFailure when a stack has an unsuppressed finding or a stale suppression
 * @throws OutputLockedError when another synth keeps `outdir` locked for longer than the lock timeout
 */
export function synthesizeApp(define: (app: App) => void, outdir: string): string[] {
  const target = resolve(outdir);
  const staging = stagingFolder(target);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(staging), { recursive: true });
  try {
    // No construct stack traces: they are never written to the output, and capturing one per construct was
    // about a fifth of the synth time (CPU profile). cdktf's public switch for it (AppConfig.stackTraces).
    // Validation is run below instead of by app.synth(), which would also run `terraform version` (a third of a
    // second) because a stack holds a moved block: synth needs no Terraform on the machine, and whoever plans the
    // moved blocks runs a Terraform that reads them (every machine and workflow here runs 1.11.4).
    const app = new App({ outdir: staging, stackTraces: false, skipValidation: true });
    withoutTokenTraces(() => define(app));
    for (const stack of app.node.findAll().filter(TerraformStack.isStack)) stack.runAllValidations();
    app.synth();
    const report = checkOutdir(staging);
    if (!report.passed) throw new GuardrailsFailure(formatSynthFailure(report));
    return publishOutput(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
