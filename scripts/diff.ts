/**
 * Reviewable diff of the synthesized infrastructure: what a change adds, removes, changes and replaces, per
 * stack, with the risky changes first (docs/reviewing-diffs.md).
 *
 * Usage: `npm run diff -- <base-ref> [options]` or `npm run diff -- <before-outdir> <after-outdir> [options]`
 * Exit codes: 0 compared; 2 usage or input error; 3 `--fail-on-risk` and a risky change is present.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { SEVERITIES } from '../guardrails/types';
import { DiffInputError, loadTree } from '../diff/compare';
import { formatMarkdown, formatText, summaryLine, toJsonReport } from '../diff/format';
import type { DiffReport, Severity } from '../diff/model';
import { buildReport } from '../diff/report';
import { withRefSynthesis } from '../diff/synth';

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
--help                  print this help

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
  help: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { positional: [], format: 'text', help: false };
  for (let index = 0; index < argv.length; index += 1) {
    const [flag, inline] = argv[index].startsWith('--')
      ? argv[index].split(/=(.*)/s, 2)
      : [argv[index], undefined];
    const value = (): string => {
      const next = inline ?? argv[(index += 1)];
      if (next === undefined || next === '') throw new DiffInputError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--format': {
        const format = value();
        if (!(FORMATS as readonly string[]).includes(format)) {
          throw new DiffInputError(`--format: "${format}" is not one of ${FORMATS.join(', ')}`);
        }
        options.format = format as Format;
        break;
      }
      case '--output':
      case '-o':
        options.output = value();
        break;
      case '--after':
        options.after = value();
        break;
      case '--fail-on-risk': {
        // Only the inline form takes a value, so `--fail-on-risk origin/main` keeps its positional.
        const severity = inline ?? 'low';
        if (!(SEVERITIES as readonly string[]).includes(severity)) {
          throw new DiffInputError(`--fail-on-risk: "${severity}" is not one of ${SEVERITIES.join(', ')}`);
        }
        options.failOn = severity as Severity;
        break;
      }
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        if (flag.startsWith('-')) throw new DiffInputError(`unknown option ${flag}`);
        options.positional.push(flag);
    }
  }
  if (options.help) return options;
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

async function compare(options: Options, io: CliIo): Promise<DiffReport> {
  if (options.positional.length === 2) {
    const [before, after] = options.positional;
    return buildReport(loadTree(before), loadTree(after));
  }
  const [ref] = options.positional;
  // Fail before the synth, which takes seconds, when the after-side is not there.
  if (options.after && !existsSync(options.after)) {
    throw new DiffInputError(
      `--after ${options.after}: no such file or directory (expected a cdktf.out folder)`,
    );
  }
  return withRefSynthesis({ ref, cwd: io.cwd, after: options.after, env: io.env }, (synthesis) =>
    buildReport(
      loadTree(synthesis.before, synthesis.beforeLabel),
      loadTree(synthesis.after, options.after ?? 'working tree'),
    ),
  );
}

/** Runs the CLI and resolves to its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    io.stderr(`diff: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (options.help) {
    io.stdout(USAGE);
    return EXIT_OK;
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
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `diff: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
