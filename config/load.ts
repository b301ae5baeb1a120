/**
 * Reads and validates the environments: every `config/<name>.yaml`, plus the optional extra file named by
 * `WMS_ENV_FILE` (YAML or JSON). All problems of all files are collected and reported together.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseDocument } from 'yaml';
import type { EnvironmentConfig } from './environment';
import { crossEnvironmentProblems, validateEnvironment } from './environment';

/** Invalid configuration: carries every problem found, one per line, each prefixed with its file. */
export class ConfigError extends Error {
  /** Creates the error from its problems. */
  constructor(public readonly problems: readonly string[]) {
    super(`invalid environment configuration (${problems.length} problems):\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Where to read environments from. */
export interface LoadOptions {
  /** Folder holding one `<name>.yaml` per built-in environment. */
  readonly configDir: string;
  /**
   * An extra environment file (YAML or JSON), e.g. a sandbox or per-PR preview.
   * @default - none
   */
  readonly extraFile?: string;
}

/**
 * Loads every environment, sorted as found (built-ins by file name, then the extra file).
 * @throws ConfigError listing every problem, when any file is unreadable or invalid
 */
export function loadEnvironments(options: LoadOptions): EnvironmentConfig[] {
  const files = readdirSync(options.configDir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => join(options.configDir, file));
  if (options.extraFile !== undefined) files.push(options.extraFile);

  const problems: string[] = [];
  const loaded: { source: string; config: EnvironmentConfig }[] = [];
  for (const file of files) {
    const source = options.extraFile === file ? file : basename(file);
    const parsed = parseFile(file);
    if ('problems' in parsed) {
      problems.push(...parsed.problems.map((p) => `${source}: ${p}`));
      continue;
    }
    const result = validateEnvironment(parsed.data);
    if ('problems' in result) problems.push(...result.problems.map((p) => `${source}: ${p}`));
    else loaded.push({ source, config: result.config });
  }
  problems.push(...crossEnvironmentProblems(loaded));
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded.map((entry) => entry.config);
}

function parseFile(file: string): { data: unknown } | { problems: string[] } {
  const extension = extname(file).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    return { problems: [`"${extension}" files are not supported (allowed: .yaml, .yml, .json)`] };
  }
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    return { problems: [`cannot be read: ${(error as Error).message}`] };
  }
  if (extension === '.json') {
    try {
      return { data: JSON.parse(content) as unknown };
    } catch (error) {
      return { problems: [`is not valid JSON: ${(error as Error).message}`] };
    }
  }
  // uniqueKeys: a repeated key is an error rather than a silent override of the first value.
  const document = parseDocument(content, { uniqueKeys: true });
  if (document.errors.length > 0) {
    return { problems: document.errors.map((e) => `is not valid YAML: ${e.message.split('\n')[0]}`) };
  }
  return { data: document.toJS() as unknown };
}
