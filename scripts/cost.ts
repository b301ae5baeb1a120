/**
 * Estimated monthly cost of every stack, per environment, from the synthesized JSON and the committed price table
 * (cost/); or the change between a base and this tree, for the pull-request comment.
 *
 * Usage: `npm run cost -- [path] [--details] [--base <dir> | --base-ref <ref>] [--output <file>]`
 * Exit codes: 0 estimated; 2 usage or input error (a missing folder, a price the table lacks).
 */
import { writeFileSync } from 'node:fs';
import { estimateTree, formatComparison, formatEstimate } from '../cost/report';
import { MissingPriceError, Prices } from '../cost/price-table';
import { DiffInputError, loadTree } from '../diff/compare';
import { withRefSynthesis } from '../diff/synth';
import { parseCommandLine, processIo, runAsProcess, UsageError, EXIT_USAGE } from './lib/cli';

const USAGE = `Usage: npm run cost -- [path] [options]

Estimates each stack's monthly cost from the synthesized Terraform JSON and the committed price table
(cost/prices.json): a table per environment with its total, the assumptions used (printed every time), how sure
the prices are, and what is not counted. README "Cost estimate" says what it leaves out.

path                a cdktf.out folder (default: cdktf.out; run npm run synth first), a stack folder or a cdk.tf.json
--details           also list every priced item of every stack with its arithmetic
--base <dir>        compare with this base cdktf.out instead: the change per environment and per stack (Markdown)
--base-ref <ref>    the same, synthesizing the base from a branch, tag or commit in a temporary git worktree
--output <file>     write the report to <file> instead of standard output
--help, -h          print this help and exit

Exit codes: 0 estimated; 2 usage or input error (a missing folder, an unknown ref, a price the table lacks).
`;

const SPEC = {
  usage: USAGE,
  options: {
    details: { type: 'boolean' },
    base: { type: 'string' },
    'base-ref': { type: 'string' },
    output: { type: 'string', short: 'o' },
  },
  maxPositionals: 1,
} as const;

/** Where the CLI writes, what it reads from its environment, and the folder it runs in. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

async function report(argv: readonly string[], io: CliIo): Promise<string> {
  const parsed = parseCommandLine(argv, SPEC);
  if (parsed === 'help') return USAGE;
  const { values, positionals } = parsed;
  const path = positionals[0] ?? 'cdktf.out';
  const base = values.base as string | undefined;
  const baseRef = values['base-ref'] as string | undefined;
  if (base && baseRef) throw new UsageError('--base and --base-ref exclude each other: give one base');
  if (values.details && (base || baseRef))
    throw new UsageError('--details goes with a single tree, not a comparison');
  const prices = new Prices();
  if (baseRef) {
    const head = loadTree(path);
    return withRefSynthesis({ ref: baseRef, cwd: io.cwd, after: path, env: io.env }, (synthesis) =>
      formatComparison(
        estimateTree(loadTree(synthesis.before).stacks, prices),
        estimateTree(head.stacks, prices),
        prices,
        {
          base: synthesis.beforeLabel,
          head: path,
        },
      ),
    );
  }
  if (base) {
    return formatComparison(
      estimateTree(loadTree(base).stacks, prices),
      estimateTree(loadTree(path).stacks, prices),
      prices,
      {
        base,
        head: path,
      },
    );
  }
  return formatEstimate(estimateTree(loadTree(path).stacks, prices), prices, {
    details: values.details === true,
  });
}

/** Runs the CLI and resolves to its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let text: string;
  try {
    text = await report(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`cost: ${error.message} (see --help)\n`);
      return EXIT_USAGE;
    }
    if (error instanceof DiffInputError || error instanceof MissingPriceError) {
      io.stderr(`cost: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const output = parseCommandLine(argv, SPEC);
  const file = output === 'help' ? undefined : (output.values.output as string | undefined);
  if (file) {
    writeFileSync(file, text);
    io.stdout(`cost report written to ${file}\n`);
  } else {
    io.stdout(text);
  }
  return 0;
}

if (require.main === module) {
  runAsProcess('cost', () => runCli(process.argv.slice(2), processIo()));
}
