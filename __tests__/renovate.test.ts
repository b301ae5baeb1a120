import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART_VERSIONS } from '../constructs/cluster/cluster-services';
import { KYVERNO_CHART_VERSION } from '../constructs/cluster/image-admission';
import { MONITORING_CHARTS } from '../constructs/observability/monitoring-values';

// The custom managers are run here with JavaScript's regex engine over the files they target (the patterns use
// only syntax RE2 shares: no lookaround). Renovate itself is not run (no network): which versions exist upstream
// is not checked.
const ROOT = join(__dirname, '..');
interface Manager {
  readonly managerFilePatterns: string[];
  readonly matchStrings: string[];
  readonly datasourceTemplate?: string;
  readonly depNameTemplate?: string;
  readonly extractVersionTemplate?: string;
  readonly versioningTemplate?: string;
}
const config = JSON.parse(readFileSync(join(ROOT, 'renovate.json'), 'utf8')) as {
  customManagers: Manager[];
  enabledManagers: string[];
  packageRules: {
    matchUpdateTypes?: string[];
    matchDepNames?: string[];
    labels?: string[];
    prBodyNotes?: string[];
  }[];
};

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Every dependency a manager extracts: its named groups, per file. */
function extract(manager: Manager): { file: string; groups: Record<string, string> }[] {
  const patterns = manager.managerFilePatterns.map((p) => new RegExp(p.slice(1, -1)));
  const targets = [...files('constructs'), ...files('config'), ...files('docs')].filter((file) =>
    patterns.some((pattern) => pattern.test(file)),
  );
  return targets.flatMap((file) =>
    manager.matchStrings.flatMap((source) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(new RegExp(source, 'g'))].map((match) => ({
        file,
        groups: { ...match.groups } as Record<string, string>,
      })),
    ),
  );
}

const [commented, triples, addons, nodeAmis] = config.customManagers;

describe('renovate.json', () => {
  it('leaves npm and GitHub Actions to Dependabot (no duplicate pull requests)', () => {
    expect(config.enabledManagers).not.toContain('npm');
    expect(config.enabledManagers).not.toContain('github-actions');
    expect(config.enabledManagers).toContain('custom.regex');
  });

  it('GIVEN every pinned chart THEN one manager extracts it with its current version and where to look', () => {
    const found = [...extract(commented), ...extract(triples)].map(
      ({ groups }) => `${groups.depName}@${groups.currentValue}`,
    );
    const expected = [
      ...Object.values(CHART_VERSIONS),
      KYVERNO_CHART_VERSION,
      ...Object.values(MONITORING_CHARTS).map((chart) => chart.version),
    ];
    expect(found).toHaveLength(expected.length);
    expect(found.map((dep) => dep.split('@')[1]).sort()).toEqual([...expected].sort());
    for (const { groups } of extract(commented)) {
      expect(groups.datasource === 'docker' || /^https:\/\//.test(groups.registryUrl ?? '')).toBe(true);
    }
  });

  it("GIVEN every environment file THEN each add-on version is extracted, filtered on that file's Kubernetes version", () => {
    const byFile = new Map<string, Record<string, string>[]>();
    for (const { file, groups } of extract(addons)) byFile.set(file, [...(byFile.get(file) ?? []), groups]);
    const environmentFiles = [...files('config'), ...files('docs')].filter((f) => /\.yaml$/.test(f));
    for (const file of environmentFiles) {
      const eks = (
        parse(readFileSync(join(ROOT, file), 'utf8')) as {
          eks: { kubernetesVersion: string; addonVersions: Record<string, string> };
        }
      ).eks;
      const found = byFile.get(file) ?? [];
      expect(found.map((g) => g.currentValue).sort()).toEqual(Object.values(eks.addonVersions).sort());
      for (const groups of found) {
        expect(JSON.parse(groups.packageName)).toEqual({
          kubernetesVersion: eks.kubernetesVersion,
          addonName: expect.stringMatching(
            /^(vpc-cni|coredns|kube-proxy|eks-pod-identity-agent|aws-ebs-csi-driver)$/,
          ),
        });
      }
    }
    expect(addons.datasourceTemplate).toBe('aws-eks-addon');
  });

  it("GIVEN every environment file THEN its node AMI release date is extracted, to compare with amazon-eks-ami's release tags", () => {
    const environmentFiles = [...files('config'), ...files('docs')].filter((f) => /\.yaml$/.test(f));
    const found = new Map(extract(nodeAmis).map(({ file, groups }) => [file, groups.currentValue]));
    for (const file of environmentFiles) {
      const release = (
        parse(readFileSync(join(ROOT, file), 'utf8')) as { eks: { nodeAmiReleaseVersion?: string } }
      ).eks.nodeAmiReleaseVersion;
      // The date part only: the value Renovate replaces; the Kubernetes patch in front stays as written.
      expect([file, found.get(file)]).toEqual([file, release?.split('-')[1]]);
    }
    expect(found.size).toBeGreaterThanOrEqual(3);
    expect(nodeAmis.datasourceTemplate).toBe('github-releases');
    expect(nodeAmis.depNameTemplate).toBe('awslabs/amazon-eks-ami');
    // Release tags are v<YYYYMMDD>: the version compared is the date, a patch update (the 7-day target applies).
    const tag = new RegExp(nodeAmis.extractVersionTemplate ?? '').exec('v20260801');
    expect(tag?.groups?.version).toBe('20260801');
    expect(nodeAmis.versioningTemplate).toBe('regex:^(?<patch>\\d{8})$');
    const rule = config.packageRules.find((r) => r.matchDepNames?.includes('awslabs/amazon-eks-ami'));
    expect(rule?.prBodyNotes?.join(' ')).toMatch(/Kubernetes patch/);
  });

  it('shows the 7-day patch target on every patch update (label and pull-request note)', () => {
    const patch = config.packageRules.find((rule) => rule.matchUpdateTypes?.includes('patch'));
    expect(patch?.labels).toContain('patch-target-7d');
    expect(patch?.prBodyNotes?.join(' ')).toMatch(/7 days/);
  });
});
