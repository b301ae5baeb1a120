import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentReference, referenceRows, withEnvironmentReference } from '../../config/reference';
import { rawProduction } from '../support/environments';

const README = join(__dirname, '..', '..', 'README.md');

/** Every leaf path of a plain object (lists are leaves). */
function leafPaths(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [path];
  return Object.entries(value).flatMap(([key, entry]) => leafPaths(entry, path ? `${path}.${key}` : key));
}

describe('environment-file reference (generated from the schema)', () => {
  it('is up to date in README.md (npm run update-docs rewrites it)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withEnvironmentReference(readme)).toBe(readme);
    expect(readme).toContain(environmentReference());
  });

  it('lists every field of a complete environment, the required monitoring fields included', () => {
    const rows = new Map(referenceRows().map((row) => [row.path, row]));
    for (const path of leafPaths(rawProduction()))
      expect({ path, listed: rows.has(path) }).toEqual({ path, listed: true });
    expect(rows.get('monitoring.grafanaAdminSecret')?.required).toBe('yes');
    expect(rows.get('monitoring.monthlyBudgetUsd')).toEqual({
      path: 'monitoring.monthlyBudgetUsd',
      required: 'yes',
      allowed: 'a whole number from 1 to 10000000',
    });
    expect(rows.get('state.bootstrapBackend')?.required).toBe('no');
    // Under an optional object, every field is optional.
    expect(rows.get('database.serverless.minCapacity')?.required).toBe('no');
  });

  it('lists the rules between fields and between environments', () => {
    const reference = environmentReference();
    expect(reference).toContain('- database.readers: at most the number of AZs - 1');
    expect(reference).toContain('- database.deletionProtection: true in production');
    expect(reference).toContain("- network.vpcCidr: disjoint from every other environment's");
  });
});
