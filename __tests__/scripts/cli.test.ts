import { parseCommandLine, UsageError } from '../../scripts/lib/cli';

describe('parseCommandLine (every script: --help, strict options)', () => {
  const spec = {
    usage: 'Usage: x',
    options: { runs: { type: 'string' as const }, keep: { type: 'boolean' as const } },
  };
  const usageError = (argv: string[], max?: number) => {
    try {
      parseCommandLine(argv, { ...spec, maxPositionals: max });
    } catch (error) {
      if (error instanceof UsageError) return error.message;
      throw error;
    }
    throw new Error('expected a UsageError');
  };

  it('returns "help" for --help or -h anywhere, before any other check', () => {
    expect(parseCommandLine(['--bogus', '--help'], spec)).toBe('help');
    expect(parseCommandLine(['-h'], spec)).toBe('help');
  });

  it('parses known options', () => {
    expect(parseCommandLine(['--runs', '3', '--keep'], spec)).toEqual({
      values: expect.objectContaining({ runs: '3', keep: true }),
      positionals: [],
    });
  });

  it('refuses unknown options and options without their value, naming them', () => {
    expect(usageError(['--colour'])).toBe('unknown option --colour');
    expect(usageError(['--runs'])).toBe('--runs needs a value');
    expect(usageError(['--runs='])).toBe('--runs needs a value');
  });

  it('takes no positional argument by default (maxPositionals 0), and at most maxPositionals', () => {
    expect(usageError(['extra'])).toBe('unexpected argument "extra" (this command takes options only)');
    expect(usageError(['a', 'b'], 1)).toBe('expected at most 1 argument, got 2: a b');
    expect(parseCommandLine(['a'], { ...spec, maxPositionals: 1 })).toEqual({
      values: expect.any(Object),
      positionals: ['a'],
    });
  });
});
