/**
 * The command line of every script: `util.parseArgs` in strict mode (unknown options and missing values are
 * refused), `--help`/`-h` printing the usage and exiting 0 before anything runs, and one error format:
 * `<command>: <what is wrong>` then a pointer to `--help`, exit code 2.
 */
import { parseArgs } from 'node:util';

/** A bad command line: the message names the option and what is allowed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit code of a bad command line. */
export const EXIT_USAGE = 2;

/** An option: `string` takes a value, `boolean` is a flag. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
}

/** What a command accepts. */
export interface CommandSpec<K extends string> {
  /** Printed by `--help`, and after a usage error. */
  readonly usage: string;
  readonly options: Readonly<Record<K, OptionSpec>>;
  /**
   * Most positional arguments accepted.
   * @default 0
   */
  readonly maxPositionals?: number;
}

/** A parsed command line: option values by name (string, true, or undefined when absent) and positionals. */
export interface CommandLine<K extends string> {
  readonly values: Readonly<Partial<Record<K, string | boolean>>>;
  readonly positionals: readonly string[];
}

/**
 * Parses `argv` (the arguments after the script) against `spec`.
 * @returns the command line, or `'help'` when `--help` or `-h` was given (anywhere)
 * @throws UsageError on an unknown option, a missing value or too many positional arguments
 */
export function parseCommandLine<K extends string>(
  argv: readonly string[],
  spec: CommandSpec<K>,
): CommandLine<K> | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: spec.options as Record<string, OptionSpec>,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }));
  }
  for (const [name, option] of Object.entries<OptionSpec>(spec.options)) {
    if (option.type === 'string' && parsed.values[name] === '')
      throw new UsageError(`--${name} needs a value`);
  }
  const max = spec.maxPositionals ?? 0;
  if (parsed.positionals.length > max) {
    throw new UsageError(
      max === 0
        ? `unexpected argument "${parsed.positionals[0]}" (this command takes options only)`
        : `expected at most ${max} argument${max > 1 ? 's' : ''}, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`,
    );
  }
  return parsed as unknown as CommandLine<K>;
}

/** util.parseArgs' messages, shortened to `unknown option --x` / `--x needs a value`. */
function usageMessage(error: Error & { code?: string }): string {
  const option = /'(-{1,2}[^'\s]+)/.exec(error.message)?.[1] ?? '';
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /argument missing/.test(error.message)) {
    return `${option.split(' ')[0]} needs a value`;
  }
  return error.message;
}

/**
 * Parses the process's command line for a script: prints the usage and exits 0 on `--help`; prints the problem
 * and exits 2 on a bad command line.
 * @param name the command, for messages
 */
export function commandLine<K extends string>(name: string, spec: CommandSpec<K>): CommandLine<K> {
  try {
    const parsed = parseCommandLine(process.argv.slice(2), spec);
    if (parsed === 'help') {
      process.stdout.write(spec.usage.endsWith('\n') ? spec.usage : `${spec.usage}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${name}: ${error.message} (see --help)\n`);
    process.exit(EXIT_USAGE);
  }
}

/** What a command's `runCli` writes to and reads from: this process's streams, environment and folder. */
export function processIo() {
  return {
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Runs an asynchronous command as the process: its exit code, or 1 with `<name>: <error>` when it throws. */
export function runAsProcess(name: string, run: () => Promise<number>): void {
  run().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
