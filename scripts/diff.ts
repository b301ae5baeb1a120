/**
 * Reviewable diff of the synthesized infrastructure: what a change adds, removes, changes and replaces, per
 * stack, with the risky changes first (docs/reviewing-diffs.md).
 *
 * Usage: `npm run diff -- <base-ref> [options]` or `npm run diff -- <before-outdir> <after-outdir> [options]`;
 * `--plan` adds Terraform's exact plan of every changed stack (diff/exact.ts).
 * Exit codes: 0 compared; 2 usage or input error; 3 `--fail-on-risk` and a risky change is present.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SEVERITIES } from '../guardrails/types';
import type { SynthTree } from '../diff/compare';
import { DiffInputError, loadTree } from '../diff/compare';
import { defaultPlanCache, withExactPlans } from '../diff/exact';
import { formatMarkdown, formatText, summaryLine, toJsonReport } from '../diff/format';
import type { DiffReport, Severity } from '../diff/model';
import { buildReport } from '../diff/report';
import { withRefSynthesis } from '../diff/synth';
import { discoverMirrors } from '../terraform/terraform';
import { processIo, runAsProcess } from './lib/cli';

const FORMATS = ['text', 'markdown', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Exit code: the trees were compared (and, with --fail-on-risk, nothing risky was found). */
export const EXIT_OK = 0;
/** Exit code: bad arguments, unreadable input, an unknown ref, or a side that does not build or synthesize. */
export const EXIT_USAGE = 2;
/** Exit code: --fail-on-risk was given and a risky change at or above its severity is present. */
export const EXIT_RISK = 3;

const USAGE = `Usage: npm run diff -- <base-ref> [options]
       npm run diff -- <before-outdir> <after-outdir> [options]

Compares two synthesized trees stack by stack: resources added, removed and changed (with the attributes that
changed), replacements Terraform would force, and risky changes first (docs/reviewing-diffs.md).

<base-ref>              a branch, tag or commit (origin/main, HEAD~1): synthesized in a temporary git worktree
                        with this checkout's node_modules, and compared with the working tree
<before> <after>        two cdktf.out folders (or stack folders, or cdk.tf.json files)
--after <dir>           with <base-ref>: compare with this cdktf.out instead of synthesizing the working tree
--format <format>       text (default), markdown (a pull-request comment) or json
--output <file>         write the report to <file> instead of standard output
--fail-on-risk[=<sev>]  exit 3 when a risky change of severity <sev> or worse is present
                        (critical, high, medium or low; default low: any risky change)
--plan                  exact mode: also plan every changed stack with the real terraform against a state
                        built from the base (offline, no credentials; providers from a local mirror or the
                        registry). Stacks that cannot be planned say why and keep the semantic diff.
--plan-cache <dir>      where --plan caches base states and provider schemas
                        (default $XDG_CACHE_HOME/wms-diff, or ~/.cache/wms-diff)
--help, -h              print this help and exit

Exit codes: 0 compared; 2 usage or input error (also when a side does not build or synthesize);
3 --fail-on-risk and a risky change is present.
`;

/** Where the CLI writes, what it reads from its environment, and the folder it runs in. */
export interface CliIo {
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** The environment the synths run with. */
  readonly env: NodeJS.ProcessEnv;
  /** A folder inside the git checkout (for `<base-ref>`). */
  readonly cwd: string;
}

interface Options {
  positional: string[];
  after?: string;
  format: Format;
  output?: string;
  failOn?: Severity;
  plan: boolean;
  planCache?: string;
}

const OPTIONS = {
  after: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'fail-on-risk': { type: 'string' },
  plan: { type: 'boolean' },
  'plan-cache': { type: 'string' },
} as const;

/** node's parseArgs errors, said the way the other errors of this command are. */
function argumentError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-[^'\s]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option} (see --help)`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = /--[a-z-]+/.exec(message)?.[0] ?? option;
    if (message.includes('argument missing')) return `${name} needs a value`;
    if (message.includes('does not take an argument')) return `${name} takes no value`;
    return message;
  }
  return message;
}

function parseOptions(argv: readonly string[]): Options {
  // `--fail-on-risk` alone means `=low`; only the inline form takes a value, so `--fail-on-risk origin/main`
  // keeps its positional.
  const args = argv.map((arg) => (arg === '--fail-on-risk' ? '--fail-on-risk=low' : arg));
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new DiffInputError(argumentError(error));
  }
  const { values, positionals } = parsed;
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new DiffInputError(`--format: "${format}" is not one of ${FORMATS.join(', ')}`);
  }
  const failOn = values['fail-on-risk'];
  if (failOn !== undefined && !(SEVERITIES as readonly string[]).includes(failOn)) {
    throw new DiffInputError(`--fail-on-risk: "${failOn}" is not one of ${SEVERITIES.join(', ')}`);
  }
  for (const name of ['after', 'output', 'plan-cache'] as const) {
    if (values[name] === '') throw new DiffInputError(`--${name} needs a value`);
  }
  if (values['plan-cache'] !== undefined && !values.plan) {
    throw new DiffInputError('--plan-cache goes with --plan');
  }
  const options: Options = {
    positional: positionals,
    after: values.after,
    format: format as Format,
    output: values.output,
    failOn: failOn as Severity | undefined,
    plan: values.plan ?? false,
    planCache: values['plan-cache'],
  };
  if (options.positional.length === 0)
    throw new DiffInputError('expected a base ref, or two cdktf.out folders');
  if (options.positional.length > 2) {
    throw new DiffInputError(
      `expected at most two arguments, got ${options.positional.length}: ${options.positional.join(' ')}`,
    );
  }
  if (options.positional.length === 2 && options.after) {
    throw new DiffInputError('--after goes with a base ref, not with two folders');
  }
  return options;
}

function render(report: DiffReport, format: Format): string {
  if (format === 'markdown') return formatMarkdown(report);
  if (format === 'json') return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
  return formatText(report);
}

/** The semantic report, with Terraform's exact plan of every changed stack when `--plan` is given. */
async function report(before: SynthTree, after: SynthTree, options: Options, io: CliIo): Promise<DiffReport> {
  const semantic = buildReport(before, after);
  if (!options.plan) return semantic;
  return withExactPlans(semantic, before, after, {
    mirrors: discoverMirrors(io.env),
    cacheDir: options.planCache ?? defaultPlanCache(io.env),
    progress: (line) => io.stderr(`${line}\n`),
  });
}

async function compare(options: Options, io: CliIo): Promise<DiffReport> {
  if (options.positional.length === 2) {
    const [before, after] = options.positional;
    return report(loadTree(before), loadTree(after), options, io);
  }
  const [ref] = options.positional;
  // Fail before the synth, which takes seconds, when the after-side is not there.
  if (options.after && !existsSync(options.after)) {
    throw new DiffInputError(
      `--after ${options.after}: no such file or directory (expected a cdktf.out folder)`,
    );
  }
  return withRefSynthesis({ ref, cwd: io.cwd, after: options.after, env: io.env }, (synthesis) =>
    report(
      loadTree(synthesis.before, synthesis.beforeLabel),
      loadTree(synthesis.after, options.after ?? 'working tree'),
      options,
      io,
    ),
  );
}

/** Runs the CLI and resolves to its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // --help wins over everything else, also over options that would be rejected.
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    io.stderr(`diff: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  let report: DiffReport;
  try {
    report = await compare(options, io);
  } catch (error) {
    if (error instanceof DiffInputError) {
      io.stderr(`diff: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const rendered = render(report, options.format);
  if (options.output) {
    writeFileSync(options.output, rendered);
    io.stdout(`${summaryLine(report)}\nreport written to ${options.output}\n`);
  } else {
    io.stdout(rendered);
  }
  const threshold = options.failOn ? SEVERITIES.indexOf(options.failOn) : -1;
  const risky = report.findings.some((finding) => SEVERITIES.indexOf(finding.severity) <= threshold);
  return risky ? EXIT_RISK : EXIT_OK;
}

if (require.main === module) {
  runAsProcess('diff', () => runCli(process.argv.slice(2), processIo()));
}
