/**
 * Verifying one synthesized stack with the real Terraform CLI, wherever it runs: `terraform init` (mirrored
 * providers from their mirror, the others from their registry), then a plan, which validates the configuration
 * first (`terraform validate` runs on its own only to explain a failed plan). A stack that needs no credentials beyond placeholders is planned for real (`terraform plan -refresh=false`); a stack that
 * reads other stacks' state or the cluster, or talks to the cluster, is planned against mocked providers and mocked
 * remote state (`terraform test` with a plan run, see scripts/lib/mock-apply.ts). A stack whose providers can
 * neither be found in a mirror nor downloaded is "not verifiable here", with the reason: never a failure for want
 * of credentials or network, and never a pass either.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorDiagnostics, runMockedTest, testEvents } from '../../terraform/mock-apply';
import {
  cliConfig,
  isolatedEnv,
  needsMocks,
  offlineOverride,
  providerSources,
  providersUnavailable,
  requiredProviders,
  terraform,
} from '../../terraform/terraform';

/** The outcome of verifying one stack, as the verify table prints it. */
export interface VerifyResult {
  readonly stack: string;
  /** The providers, `name version`, comma separated. */
  readonly providers: string;
  /** `yes`, `no` (failed), or `-` (not reached). */
  readonly validated: string;
  /** `yes` (real plan), `mocked` (planned against mocked providers and remote state), `no` (failed), or `-`. */
  readonly planned: string;
  /** `N to add`, or `-`. */
  readonly resources: string;
  readonly seconds: string;
  /** True when the stack is broken (init, validate or plan failed for a reason other than missing providers). */
  readonly failed: boolean;
  /** Why it was not verified, how it was planned, or what failed. */
  readonly note?: string;
}

/** Verifies one synthesized stack in `workdir/<stack>` (see the module comment). */
export async function verifyStack(
  stack: string,
  json: unknown,
  workdir: string,
  mirrors: readonly string[],
): Promise<VerifyResult> {
  const started = Date.now();
  const providers = requiredProviders(json)
    .map((p) => `${p.name} ${p.version}`)
    .join(', ');
  const { mirrored, missing } = providerSources(json, mirrors);
  const dir = join(workdir, stack);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  writeFileSync(join(dir, 'zz_offline_override.tf.json'), JSON.stringify(offlineOverride(json), null, 2));
  writeFileSync(join(dir, 'cli.tfrc'), cliConfig(mirrored));
  const env = isolatedEnv(join(dir, 'cli.tfrc'));
  const result = (
    validated: string,
    planned: string,
    resources: string,
    failed: boolean,
    note?: string,
  ): VerifyResult => ({
    stack,
    providers,
    validated,
    planned,
    resources,
    seconds: ((Date.now() - started) / 1000).toFixed(1),
    failed,
    note,
  });

  const init = await terraform(['init', '-input=false', '-no-color'], dir, env);
  const unavailable = providersUnavailable(init, missing);
  if (unavailable) return result('-', '-', '-', false, `not verifiable here: ${unavailable}`);
  if (init.code !== 0)
    return result('no', '-', '-', true, `terraform init failed:\n${init.stderr || init.stdout}`);
  // `terraform plan` and `terraform test` validate the configuration before they plan (the checks of
  // `terraform validate`, and each loads the provider schemas: seconds of CPU per stack), so validate runs on its
  // own only when they fail, to say whether the configuration is invalid or the plan failed.
  const invalid = async (): Promise<VerifyResult | undefined> => {
    const validate = await terraform(['validate', '-no-color'], dir, env);
    if (validate.code === 0) return undefined;
    return result('no', '-', '-', true, `terraform validate failed:\n${validate.stderr || validate.stdout}`);
  };

  const mocks = needsMocks(json);
  if (mocks) {
    const run = await runMockedTest(json, dir, env, 'plan');
    if (!run.passed)
      return (await invalid()) ?? result('yes', 'no', '-', true, `mocked plan failed:\n${run.note}`);
    return result(
      'yes',
      'mocked',
      `${run.resources} to add`,
      false,
      `planned against mocked providers and remote state, because it ${mocks}`,
    );
  }
  // `-json`: the change summary counts what the plan creates, without a `terraform show` (another schema load).
  const plan = await terraform(
    ['plan', '-json', '-refresh=false', '-lock=false', '-input=false', '-no-color'],
    dir,
    env,
  );
  const events = testEvents(plan.stdout);
  const summary = events.find((event) => event.type === 'change_summary')?.changes as
    { add?: number } | undefined;
  if (plan.code !== 0 || summary?.add === undefined) {
    const diagnostics = errorDiagnostics(events).map((line) => `  ${line}`);
    return (
      (await invalid()) ??
      result(
        'yes',
        'no',
        '-',
        true,
        `terraform plan failed (exit ${plan.code}${summary ? '' : ', no change summary'}):\n${diagnostics.join('\n') || plan.stderr || plan.stdout}`,
      )
    );
  }
  return result('yes', 'yes', `${summary.add} to add`, false);
}
