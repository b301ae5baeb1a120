import { createHash } from 'node:crypto';
import { RULES } from './rule-pack';
import type { Finding, GuardrailsReport, Rule, Severity, StackResult, StaleSuppression } from './types';

/** The rule id stale suppressions are reported under in SARIF (it is not a rule of the pack: it cannot be suppressed). */
export const STALE_SUPPRESSION_RULE_ID = 'WMS_STALE_SUPPRESSION';

/** GitHub code scanning ranks alerts by `security-severity` (a number as a string, 0.1 to 10). */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
};

/** Options of {@link toSarif}. */
export interface SarifOptions {
  /** Where the tool is documented (`tool.driver.informationUri`); must be an absolute URI. */
  readonly informationUri: string;
  /** The tool version, e.g. the package version. */
  readonly version?: string;
}

/** A rule as SARIF describes it. */
interface Descriptor {
  readonly id: string;
  readonly title: string;
  readonly requirement: string;
  readonly fix: string;
  readonly severity: Severity;
  readonly helpUri?: string;
}

/** The pack's rules plus the stale-suppression pseudo rule, in the order of `tool.driver.rules`. */
function descriptors(): Descriptor[] {
  return [
    ...RULES.map(({ id, title, requirement, fix, severity, helpUri }: Rule) => ({
      id,
      title,
      requirement,
      fix,
      severity,
      helpUri,
    })),
    {
      id: STALE_SUPPRESSION_RULE_ID,
      title: 'Suppressions match a finding',
      requirement:
        'Every suppression names a rule of the pack that checks the resource type, gives a reason of at least 10 characters and silences a finding on its resource.',
      fix: 'remove the suppression, or correct its rule id or reason',
      severity: 'medium',
    },
  ];
}

function startLine(text: string | undefined, address: string): number | undefined {
  if (!text) return undefined;
  const [type, name] = address.split('.');
  const section = /"resource"\s*:\s*\{/.exec(text);
  if (!section) return undefined;
  const typeMatch = new RegExp(`"${type}"\\s*:\\s*\\{`, 'g');
  typeMatch.lastIndex = section.index;
  const typeAt = typeMatch.exec(text);
  if (!typeAt) return undefined;
  const nameMatch = new RegExp(`"${name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}"\\s*:\\s*\\{`, 'g');
  nameMatch.lastIndex = typeAt.index;
  const nameAt = nameMatch.exec(text);
  return nameAt ? text.slice(0, nameAt.index).split('\n').length : undefined;
}

function location(
  stack: StackResult | undefined,
  stackName: string,
  address: string,
  constructPath: string | undefined,
) {
  const uri = stack?.source?.path ?? `stacks/${stackName}/cdk.tf.json`;
  const line = startLine(stack?.source?.text, address);
  return {
    physicalLocation: {
      artifactLocation: { uri },
      ...(line ? { region: { startLine: line } } : {}),
    },
    logicalLocations: [
      {
        name: address,
        fullyQualifiedName: constructPath ?? `${stackName}/${address}`,
        kind: 'resource',
      },
    ],
  };
}

function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/**
 * The report as a SARIF 2.1.0 log for GitHub code scanning: one run, every rule as a descriptor (with
 * `security-severity`), one result per finding, suppressed findings with an `inSource` suppression carrying the
 * reason, and stale suppressions as results of {@link STALE_SUPPRESSION_RULE_ID}.
 */
export function toSarif(report: GuardrailsReport, options: SarifOptions): object {
  const rules = descriptors();
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const stackOf = (name: string) => report.stacks.find((stack) => stack.stackName === name);

  const findingResult = (finding: Finding, suppressionReason?: string) => ({
    ruleId: finding.ruleId,
    ruleIndex: ruleIndex.get(finding.ruleId) ?? 0,
    level: LEVEL[finding.severity],
    message: { text: `${finding.message}. Fix: ${finding.fix}.` },
    locations: [
      location(stackOf(finding.stackName), finding.stackName, finding.address, finding.constructPath),
    ],
    partialFingerprints: {
      'wmsGuardrails/v1': fingerprint(finding.stackName, finding.address, finding.ruleId, finding.message),
    },
    properties: { stack: finding.stackName, severity: finding.severity },
    ...(suppressionReason === undefined
      ? {}
      : { suppressions: [{ kind: 'inSource', justification: suppressionReason }] }),
  });

  const staleResult = (entry: StaleSuppression) => ({
    ruleId: STALE_SUPPRESSION_RULE_ID,
    ruleIndex: ruleIndex.get(STALE_SUPPRESSION_RULE_ID) ?? 0,
    level: 'warning',
    message: {
      text: `Stale suppression of ${entry.ruleId} (reason: ${JSON.stringify(entry.reason)}): ${entry.problem}.`,
    },
    locations: [location(stackOf(entry.stackName), entry.stackName, entry.address, entry.constructPath)],
    partialFingerprints: {
      'wmsGuardrails/v1': fingerprint(
        entry.stackName,
        entry.address,
        STALE_SUPPRESSION_RULE_ID,
        entry.ruleId,
      ),
    },
    properties: { stack: entry.stackName, suppressedRuleId: entry.ruleId },
  });

  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'wms-guardrails',
            informationUri: options.informationUri,
            ...(options.version ? { version: options.version } : {}),
            rules: rules.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.requirement },
              help: {
                text: `${rule.requirement}\nFix: ${rule.fix}.`,
                markdown: `${rule.requirement}\n\n**Fix:** ${rule.fix}.`,
              },
              ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
              defaultConfiguration: { level: LEVEL[rule.severity] },
              properties: {
                'security-severity': SECURITY_SEVERITY[rule.severity],
                tags: ['security', 'iac', 'terraform'],
              },
            })),
          },
        },
        results: [
          ...report.stacks.flatMap((stack) => stack.findings.map((finding) => findingResult(finding))),
          ...report.stacks.flatMap((stack) =>
            stack.suppressed.map((finding) => findingResult(finding, finding.reason)),
          ),
          ...report.stacks.flatMap((stack) => stack.stale.map(staleResult)),
        ],
      },
    ],
  };
}
