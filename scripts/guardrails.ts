/**
 * Checks synthesized cdktf output against the guardrails rule pack.
 *
 * Usage: `npm run guardrails -- [path] [--format text|json|sarif] [--output file] [--rules-markdown] [--help]`
 * Exit codes: 0 nothing to report, 1 unsuppressed findings or stale suppressions, 2 usage or input error.
 */
import { writeFileSync } from 'node:fs';
import packageJson from '../package.json';
import { formatText, rulesMarkdown, summaryLine, toJsonReport } from '../guardrails/format';
import { checkPath, GuardrailsInputError } from '../guardrails/load';
import { toSarif } from '../guardrails/sarif';
import { parseCommandLine, UsageError } from './lib/cli';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

/** Exit code: no unsuppressed finding and no stale suppression. */
export const EXIT_PASSED = 0;
/** Exit code: unsuppressed findings or stale suppressions. */
export const EXIT_FINDINGS = 1;
/** Exit code: bad arguments, a missing path or unreadable input. */
export const EXIT_USAGE = 2;

/** The information URI used when not running in GitHub Actions. */
export const FALLBACK_INFORMATION_URI = 'urn:wms-platform:docs:guardrails';

const USAGE = `Usage: npm run guardrails -- [path] [options]

Checks the synthesized Terraform JSON of every stack against the guardrails rules (docs/guardrails.md).

path                 a cdktf.out folder (default: cdktf.out), one stack folder, or a cdk.tf.json file
--format <format>    text (default), json or sarif (SARIF 2.1.0 for GitHub code scanning)
--output <file>      write the report to <file> instead of standard output
--rules-markdown     print the rules table (Markdown) and exit
--help               print this help

Exit codes: 0 no findings; 1 unsuppressed findings or stale suppressions (a suppression that silences
nothing, names an unknown rule or gives a reason shorter than 10 characters); 2 usage or input error.
`;

/** Where the CLI writes and what it reads from its environment. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

interface Options {
  path: string;
  format: Format;
  output?: string;
  rulesMarkdown: boolean;
  help: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { path: 'cdktf.out', format: 'text', rulesMarkdown: false, help: false };
  let line: ReturnType<typeof parseCommandLine<'format' | 'output' | 'rules-markdown'>>;
  try {
    line = parseCommandLine(argv, {
      usage: USAGE,
      options: {
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'rules-markdown': { type: 'boolean' },
      },
      maxPositionals: 1,
    });
  } catch (error) {
    if (error instanceof UsageError)
      throw new GuardrailsInputError(
        error.message.replace(/^expected at most 1 argument, /, 'expected one path, '),
      );
    throw error;
  }
  if (line === 'help') return { ...options, help: true };
  const { format, output } = line.values;
  if (typeof format === 'string') {
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new GuardrailsInputError(`--format: "${format}" is not one of ${FORMATS.join(', ')}`);
    }
    options.format = format as Format;
  }
  if (typeof output === 'string') options.output = output;
  options.rulesMarkdown = line.values['rules-markdown'] === true;
  if (line.positionals.length === 1) options.path = line.positionals[0];
  return options;
}

function informationUri(env: CliIo['env']): string {
  const server = env.GITHUB_SERVER_URL;
  const repository = env.GITHUB_REPOSITORY;
  return server && repository
    ? `${server}/${repository}/blob/HEAD/docs/guardrails.md`
    : FALLBACK_INFORMATION_URI;
}

/** Runs the CLI and returns its exit code. */
export function runCli(argv: readonly string[], io: CliIo): number {
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    io.stderr(`guardrails: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (options.help) {
    io.stdout(USAGE);
    return EXIT_PASSED;
  }
  if (options.rulesMarkdown) {
    io.stdout(rulesMarkdown());
    return EXIT_PASSED;
  }
  try {
    const report = checkPath(options.path);
    const rendered =
      options.format === 'text'
        ? formatText(report)
        : `${JSON.stringify(
            options.format === 'json'
              ? toJsonReport(report)
              : toSarif(report, { informationUri: informationUri(io.env), version: packageJson.version }),
            null,
            2,
          )}\n`;
    if (options.output) {
      writeFileSync(options.output, rendered);
      io.stdout(`${summaryLine(report)}\nreport written to ${options.output}\n`);
    } else {
      io.stdout(rendered);
    }
    return report.passed ? EXIT_PASSED : EXIT_FINDINGS;
  } catch (error) {
    if (error instanceof GuardrailsInputError) {
      io.stderr(`guardrails: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}
