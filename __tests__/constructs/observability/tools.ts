import { spawnSync } from 'node:child_process';

/** What a tool run gives back. */
export interface ToolResult {
  readonly status: number | null;
  readonly stdout: string;
  /** stdout then stderr. */
  readonly output: string;
}

/**
 * Fails, with the fix, when a real tool the monitoring tests need is not installed: these tests never skip.
 */
export function requireTool(name: string): void {
  const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(
      `${name} is not installed or not on PATH (${probe.error.message}): run \`bash scripts/setup-tools.sh\` ` +
        '(installs promtool and amtool with apt-get)',
    );
  }
}

/** Runs a tool, capturing stdout and stderr together. */
export function runTool(name: string, args: readonly string[]): ToolResult {
  requireTool(name);
  const result = spawnSync(name, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    output: `${result.stdout ?? ''}${result.stderr ?? ''}`,
  };
}
