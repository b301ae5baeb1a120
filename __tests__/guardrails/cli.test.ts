import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// The official SARIF 2.1.0 JSON schema (schemastore's sarif-2.1.0-rtm.5), as shipped by Microsoft's sarif-js-sdk.
import sarifSchema from '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json';
import { RULES } from '../../guardrails/rule-pack';
import {
  EXIT_FINDINGS,
  EXIT_PASSED,
  EXIT_USAGE,
  FALLBACK_INFORMATION_URI,
  runCli,
} from '../../scripts/guardrails';

const REPO = resolve(__dirname, '..', '..');
// A cdktf output folder (named synth-out because .gitignore ignores every cdktf.out folder).
const OUTDIR = join(__dirname, 'fixtures', 'synth-out');
const PROD_DIR = join(OUTDIR, 'stacks', 'wms-prod-platform');

// The schema's `language` pattern has an unbalanced bracket that is invalid as a unicode regex (a known upstream
// erratum); without the `u` flag it compiles as the authors meant. Nothing we emit has a `language`.
const ajv = new Ajv({ allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(sarifSchema);

/** The parts of a SARIF result the assertions read. */
interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  suppressions?: unknown[];
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations: unknown[];
  }[];
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string | undefined> = {}): Run {
  let stdout = '';
  let stderr = '';
  const code = runCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env });
  return { code, stdout, stderr };
}

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'guardrails-cli-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('exit codes', () => {
  it('is 0 when nothing is reported (suppressed findings do not count)', () => {
    const result = run([PROD_DIR]);
    expect(result.code).toBe(EXIT_PASSED);
    expect(result.stdout).toMatch(
      /guardrails: passed: 0 findings, 1 suppressed, 0 stale suppressions in 1 stack/,
    );
  });

  it('is 1 on unsuppressed findings, printing stack, address, construct path, rule, message and fix', () => {
    const result = run([OUTDIR]);
    expect(result.code).toBe(EXIT_FINDINGS);
    expect(result.stdout).toContain(
      [
        'wms-dev-platform  aws_cloudwatch_log_group.logging_app-logs_5B2C9A10  (wms-dev-platform/logging/app-logs)',
        '  CKV_AWS_158 [high] log group is not encrypted: kms_key_id is missing',
        '  fix: set kms_key_id to a customer-managed KMS key ARN whose policy allows logs.<region>.amazonaws.com',
      ].join('\n'),
    );
  });

  it('is 1 when the only problem is a stale suppression', () => {
    // GIVEN the clean prod stack with one extra suppression that silences nothing
    const json = JSON.parse(readFileSync(join(PROD_DIR, 'cdk.tf.json'), 'utf8'));
    const key = json.resource.aws_kms_key.logging_key_0F8D1E2A;
    key['//'].suppressions = [{ id: 'CKV_AWS_7', reason: 'rotation is done by the security account' }];
    const file = join(scratch, 'cdk.tf.json');
    writeFileSync(file, JSON.stringify(json));

    // WHEN checked
    const result = run([file]);

    // THEN it fails because of the stale suppression alone
    expect(result.code).toBe(EXIT_FINDINGS);
    expect(result.stdout).toMatch(/0 findings, 1 suppressed, 1 stale suppression/);
    expect(result.stdout).toContain(
      'stale suppression of CKV_AWS_7 (reason: "rotation is done by the security account"): CKV_AWS_7 reports nothing',
    );
  });

  it.each([
    ['a missing path', ['/definitely/not/here'], /no such file or directory/],
    ['an unknown format', [PROD_DIR, '--format', 'xml'], /--format: "xml" is not one of text, json, sarif/],
    ['a flag without its value', [PROD_DIR, '--format'], /--format needs a value/],
    ['an unknown option', [PROD_DIR, '--colour'], /unknown option --colour/],
    ['two paths', [PROD_DIR, OUTDIR], /expected one path, got 2/],
  ])('is 2 on %s', (_label, args, message) => {
    const result = run(args);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('is 2 on invalid JSON', () => {
    const file = join(scratch, 'cdk.tf.json');
    writeFileSync(file, '{"resource": ');
    const result = run([file]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toMatch(/cdk\.tf\.json: is not valid JSON/);
  });
});

describe('--format json', () => {
  it('reports summary, stacks, findings, suppressed and stale entries', () => {
    const result = run([OUTDIR, '--format', 'json']);
    const report = JSON.parse(result.stdout);
    expect(result.code).toBe(EXIT_FINDINGS);
    expect(report).toEqual({
      tool: 'wms-guardrails',
      formatVersion: 1,
      passed: false,
      summary: {
        stacks: 2,
        resources: 4,
        findings: 2,
        suppressed: 1,
        stale: 1,
        bySeverity: { critical: 0, high: 1, medium: 1, low: 0 },
      },
      stacks: [
        expect.objectContaining({
          name: 'wms-dev-platform',
          environment: 'dev',
          production: false,
          productionAssumed: false,
          findings: 2,
          stale: 1,
        }),
        expect.objectContaining({
          name: 'wms-prod-platform',
          file: 'stacks/wms-prod-platform/cdk.tf.json',
          production: true,
          suppressed: 1,
        }),
      ],
      findings: [
        expect.objectContaining({
          ruleId: 'CKV_AWS_158',
          severity: 'high',
          stackName: 'wms-dev-platform',
          file: 'stacks/wms-dev-platform/cdk.tf.json',
        }),
        expect.objectContaining({
          ruleId: 'CKV_AWS_338',
          severity: 'medium',
          constructPath: 'wms-dev-platform/logging/app-logs',
        }),
      ],
      suppressed: [
        expect.objectContaining({ ruleId: 'CKV_AWS_382', reason: expect.stringMatching(/NAT gateways/) }),
      ],
      stale: [
        expect.objectContaining({
          ruleId: 'CKV_AWS_7',
          problem: expect.stringMatching(/does not check aws_cloudwatch_log_group/),
        }),
      ],
    });
  });
});

describe('--format sarif', () => {
  it('is valid SARIF 2.1.0 with rules, severities, locations and suppressions', () => {
    // WHEN the fixture output is reported as SARIF in GitHub Actions
    const result = run([OUTDIR, '--format', 'sarif'], {
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/wms-platform',
    });
    const sarif = JSON.parse(result.stdout);

    // THEN it validates against the official schema
    expect(validateSarif(sarif) ? [] : validateSarif.errors).toEqual([]);
    expect(result.code).toBe(EXIT_FINDINGS);

    // AND the driver lists every rule with a security-severity GitHub can rank
    const run0 = sarif.runs[0];
    expect(run0.tool.driver.name).toBe('wms-guardrails');
    expect(run0.tool.driver.informationUri).toBe(
      'https://github.com/acme/wms-platform/blob/HEAD/docs/guardrails.md',
    );
    const descriptors = run0.tool.driver.rules as {
      id: string;
      properties: Record<string, unknown>;
      help: { text: string };
    }[];
    expect(descriptors.map((rule) => rule.id)).toEqual([
      ...RULES.map((rule) => rule.id),
      'WMS_STALE_SUPPRESSION',
    ]);
    const byId = new Map(descriptors.map((rule) => [rule.id, rule]));
    expect(byId.get('CKV_AWS_33')?.properties['security-severity']).toBe('9.5');
    expect(byId.get('CKV_AWS_158')?.properties['security-severity']).toBe('8.0');
    expect(byId.get('CKV_AWS_338')?.properties['security-severity']).toBe('5.5');
    expect(byId.get('WMS_TAG_001')?.properties['security-severity']).toBe('3.0');
    expect(byId.get('CKV_AWS_158')?.help.text).toMatch(/Fix: set kms_key_id/);

    // AND results point at the stack file, the resource's line, its address and construct path
    const results = run0.results as SarifResult[];
    const encryption = results.find((entry) => entry.ruleId === 'CKV_AWS_158');
    const devText = readFileSync(join(OUTDIR, 'stacks', 'wms-dev-platform', 'cdk.tf.json'), 'utf8').split(
      '\n',
    );
    const location = encryption?.locations[0];
    expect(encryption?.level).toBe('error');
    if (!location) throw new Error('CKV_AWS_158 has no location');
    expect(location.physicalLocation.artifactLocation.uri).toBe('stacks/wms-dev-platform/cdk.tf.json');
    expect(devText[location.physicalLocation.region.startLine - 1]).toContain(
      '"logging_app-logs_5B2C9A10": {',
    );
    expect(location.logicalLocations).toEqual([
      {
        name: 'aws_cloudwatch_log_group.logging_app-logs_5B2C9A10',
        fullyQualifiedName: 'wms-dev-platform/logging/app-logs',
        kind: 'resource',
      },
    ]);

    // AND the suppressed finding carries its reason, the stale suppression is a result of its own
    const suppressed = results.find((entry) => entry.ruleId === 'CKV_AWS_382');
    expect(suppressed?.suppressions).toEqual([
      { kind: 'inSource', justification: 'EKS nodes pull images and call AWS APIs through the NAT gateways' },
    ]);
    expect(results.find((entry) => entry.ruleId === 'WMS_STALE_SUPPRESSION')?.message.text).toMatch(
      /^Stale suppression of CKV_AWS_7/,
    );
    expect(results.filter((entry) => !entry.suppressions).map((entry) => entry.ruleId)).toEqual([
      'CKV_AWS_158',
      'CKV_AWS_338',
      'WMS_STALE_SUPPRESSION',
    ]);
  });

  it('is valid for a clean run, outside GitHub Actions', () => {
    const sarif = JSON.parse(run([PROD_DIR, '--format=sarif']).stdout);
    expect(validateSarif(sarif) ? [] : validateSarif.errors).toEqual([]);
    expect(sarif.runs[0].tool.driver.informationUri).toBe(FALLBACK_INFORMATION_URI);
  });

  it('fails schema validation when a required property is missing (the validator is real)', () => {
    const sarif = JSON.parse(run([PROD_DIR, '--format', 'sarif']).stdout);
    delete sarif.runs[0].tool.driver.name;
    expect(validateSarif(sarif)).toBe(false);
  });
});

describe('other options', () => {
  it('--output writes the report to a file and prints the summary', () => {
    const file = join(scratch, 'guardrails.sarif');
    const result = run([OUTDIR, '--format', 'sarif', '--output', file]);
    expect(result.code).toBe(EXIT_FINDINGS);
    expect(result.stdout).toBe(
      'guardrails: FAILED: 2 findings (1 high, 1 medium), 1 suppressed, 1 stale suppression in 2 stacks (wms-dev-platform: dev; wms-prod-platform: prod (production))\n' +
        `report written to ${file}\n`,
    );
    expect(validateSarif(JSON.parse(readFileSync(file, 'utf8')))).toBe(true);
  });

  it('--rules-markdown prints the rules table', () => {
    const result = run(['--rules-markdown']);
    expect(result.code).toBe(EXIT_PASSED);
    for (const rule of RULES) expect(result.stdout).toContain(`| \`${rule.id}\` | ${rule.severity} |`);
  });

  it('--help prints the usage, including what exit code 1 covers', () => {
    const result = run(['--help']);
    expect(result.code).toBe(EXIT_PASSED);
    expect(result.stdout).toMatch(/^Usage: npm run guardrails -- \[path\] \[options\]/);
    expect(result.stdout).toMatch(/1 unsuppressed findings or stale suppressions/);
  });
});

describe('compiled command', () => {
  let bundle: string;
  beforeAll(async () => {
    // Bundled like scripts/build.mjs does, inside node_modules so the external packages resolve.
    bundle = join(mkdtempSync(join(REPO, 'node_modules', '.guardrails-cli-test-')), 'guardrails.js');
    await build({
      entryPoints: [join(REPO, 'scripts', 'guardrails.ts')],
      outfile: bundle,
      bundle: true,
      packages: 'external',
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'warning',
    });
  });
  afterAll(() => rmSync(join(bundle, '..'), { recursive: true, force: true }));

  function node(args: string[], cwd: string) {
    return spawnSync(process.execPath, [bundle, ...args], {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
  }

  it('exits with the process code and reads ./cdktf.out by default', () => {
    // GIVEN a working directory with the fixture output as ./cdktf.out
    cpSync(OUTDIR, join(scratch, 'cdktf.out'), { recursive: true });

    // THEN the bare command checks it and exits 1; a clean stack exits 0; no ./cdktf.out exits 2
    const failing = node([], scratch);
    expect(failing.status).toBe(EXIT_FINDINGS);
    expect(failing.stdout).toMatch(
      /in 2 stacks \(wms-dev-platform: dev; wms-prod-platform: prod \(production\)\)/,
    );
    expect(node([PROD_DIR], scratch).status).toBe(EXIT_PASSED);
    const missing = node([], join(scratch, 'cdktf.out', 'stacks'));
    expect(missing.status).toBe(EXIT_USAGE);
    expect(missing.stderr).toMatch(/cdktf\.out: no such file or directory/);
  });
});
