import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'ci', 'rollback.sh');
const UID = '6f1c2a4e-0000-4000-8000-000000000001';

/**
 * A stand-in kubectl: `get rollout` prints state/rollout.json, or state/after.json once a patch was made; `get
 * replicasets` prints state/rs.json; `patch` records its arguments (and the patch file) and marks the state patched.
 */
const KUBECTL = `#!/usr/bin/env bash
echo "kubectl $*" >> "$STATE/calls"
case "$*" in
  *" get rollout "*) if [ -f "$STATE/patched" ]; then cat "$STATE/after.json"; else cat "$STATE/rollout.json"; fi ;;
  *" get replicasets "*) cat "$STATE/rs.json" ;;
  *" patch "*)
    for ((i = 1; i <= $#; i++)); do
      if [ "\${!i}" = --patch-file ]; then j=$((i + 1)); cp "\${!j}" "$STATE/patch.json"; fi
    done
    touch "$STATE/patched" ;;
  *) exit 1 ;;
esac
`;

function rollout(current: string, stable: string, phase: string): string {
  return JSON.stringify({
    metadata: { name: 'wms-api', uid: UID },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'wms-api', 'app.kubernetes.io/part-of': 'wms' } },
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'wms-api' },
    },
    status: { currentPodHash: current, stableRS: stable, phase },
  });
}

function replicaSet(hash: string, revision: number, image: string, owner = UID) {
  return {
    metadata: {
      name: `wms-api-${hash}`,
      annotations: { 'rollout.argoproj.io/revision': String(revision) },
      ownerReferences: [{ uid: owner, controller: true, kind: 'Rollout', name: 'wms-api' }],
    },
    spec: {
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'wms-api', 'rollouts-pod-template-hash': hash } },
        spec: { containers: [{ name: 'wms-api', image }] },
      },
    },
  };
}

let state: string;
beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'wms-rollback-'));
  writeFileSync(join(state, 'kubectl'), KUBECTL);
  chmodSync(join(state, 'kubectl'), 0o755);
});
afterEach(() => rmSync(state, { recursive: true, force: true }));

function rollback(args: string[] = ['--rollout', 'wms-api'], timeout = '2') {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('GITHUB_')) delete env[key];
  const result = spawnSync(
    'bash',
    [
      SCRIPT,
      '--kubeconfig',
      join(state, 'kubeconfig'),
      '--namespace',
      'wms',
      '--timeout-seconds',
      timeout,
      ...args,
    ],
    {
      env: { ...env, PATH: `${state}:${process.env.PATH}`, STATE: state, ROLLBACK_POLL_SECONDS: '0.1' },
      encoding: 'utf8',
    },
  );
  const calls = existsSync(join(state, 'calls'))
    ? readFileSync(join(state, 'calls'), 'utf8').trim().split('\n')
    : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

describe('rollback.sh', () => {
  it('GIVEN a release in progress THEN it aborts it in the controller (status subresource) and reports the time', () => {
    writeFileSync(join(state, 'rollout.json'), rollout('b2', 'a1', 'Paused'));
    writeFileSync(join(state, 'after.json'), rollout('b2', 'a1', 'Degraded'));
    const result = rollback();
    expect(result.stderr).toBe('wms-api: release in progress (Paused, canary b2, stable a1): aborting\n');
    expect(result.status).toBe(0);
    expect(result.calls.filter((c) => c.includes(' patch '))).toEqual([
      `kubectl --kubeconfig ${join(state, 'kubeconfig')} -n wms patch rollout wms-api --subresource=status ` +
        `--type=merge -p {"status":{"abort":true}}`,
    ]);
    expect(result.stdout).toMatch(/^wms-api: aborted: all traffic on the stable version \(a1\) in \d+ s\n$/);
  });

  it('GIVEN a complete release THEN it restores the previous revision on the Deployment, hash label removed', () => {
    writeFileSync(join(state, 'rollout.json'), rollout('b2', 'b2', 'Healthy'));
    writeFileSync(join(state, 'after.json'), rollout('a1', 'a1', 'Healthy'));
    writeFileSync(
      join(state, 'rs.json'),
      JSON.stringify({
        items: [
          replicaSet('a1', 4, 'registry/wms-api:1.4.0'),
          replicaSet('b2', 5, 'registry/wms-api:1.5.0'),
          replicaSet('z9', 3, 'registry/wms-api:1.3.0'),
          replicaSet('x0', 9, 'registry/other:9', 'another-owner'),
        ],
      }),
    );
    const result = rollback();
    expect(result.status).toBe(0);
    expect(result.calls.find((c) => c.includes(' get replicasets '))).toContain(
      '-l app.kubernetes.io/name=wms-api,app.kubernetes.io/part-of=wms -o json',
    );
    expect(result.calls.find((c) => c.includes(' patch '))).toMatch(
      /patch deployment wms-api --type=json --patch-file /,
    );
    expect(JSON.parse(readFileSync(join(state, 'patch.json'), 'utf8'))).toEqual([
      {
        op: 'replace',
        path: '/spec/template',
        value: {
          metadata: { labels: { 'app.kubernetes.io/name': 'wms-api' } },
          spec: { containers: [{ name: 'wms-api', image: 'registry/wms-api:1.4.0' }] },
        },
      },
    ]);
    expect(result.stdout).toMatch(/^wms-api: undone to revision 4 \(registry\/wms-api:1\.4\.0\) in \d+ s\n$/);
  });

  it('GIVEN a complete release with no earlier revision THEN it fails before patching anything', () => {
    writeFileSync(join(state, 'rollout.json'), rollout('b2', 'b2', 'Healthy'));
    writeFileSync(
      join(state, 'rs.json'),
      JSON.stringify({ items: [replicaSet('b2', 1, 'registry/wms-api:1.5.0')] }),
    );
    const result = rollback();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no previous revision: the Rollout owns 1 revisioned ReplicaSet/);
    expect(result.stderr).toMatch(/error: wms-api: no previous revision to return to/);
    expect(result.calls.some((c) => c.includes(' patch '))).toBe(false);
  });

  it('GIVEN an abort the controller does not act on THEN it fails at the timeout, naming the Rollout', () => {
    writeFileSync(join(state, 'rollout.json'), rollout('b2', 'a1', 'Progressing'));
    writeFileSync(join(state, 'after.json'), rollout('b2', 'a1', 'Progressing'));
    const result = rollback(['--rollout', 'wms-api'], '1');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/error: wms-api: not aborted \(Degraded\) after 1 s/);
  });

  it.each([
    [[], /usage: rollback.sh --kubeconfig FILE/],
    [['--rollout', 'wms-api', '--bogus', 'x'], /unknown argument --bogus/],
  ])('GIVEN arguments %j THEN it refuses them', (args, message) => {
    const result = rollback(args);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.calls).toEqual([]);
  });

  it('GIVEN a timeout that is not a number THEN it says so', () => {
    const result = rollback(['--rollout', 'wms-api'], 'soon');
    expect(result.stderr).toMatch(/--timeout-seconds "soon" is not a number of seconds/);
  });
});
