/**
 * Reads and validates the environments: every `config/<name>.yaml`, plus the optional extra file named by
 * `WMS_ENV_FILE` (YAML or JSON). All problems of all files are collected and reported together.
 *
 * Input is bounded and read strictly: a file larger than {@link MAX_ENVIRONMENT_FILE_BYTES} is refused before
 * it is parsed, bytes that are not UTF-8 are refused with their position, and parsing is linear in the size of
 * the file (duplicate keys are found by one walk over the parsed document, not by the YAML library's
 * `uniqueKeys` option, which compares every key with every other key of its map).
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { basename, extname, join } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Node } from 'yaml';
import type { EnvironmentConfig } from './environment';
import { crossEnvironmentProblems, validateEnvironment } from './environment';

/**
 * Largest environment file read: 1 MiB. The committed environments are about 3 KB; the limit keeps one
 * oversized `WMS_ENV_FILE` (a per-pull-request preview) from tying up a CI runner.
 */
export const MAX_ENVIRONMENT_FILE_BYTES = 1024 * 1024;

/** File extensions read, and how. */
const FORMATS: Readonly<Record<string, 'yaml' | 'json'>> = {
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
};
const ALLOWED_EXTENSIONS = Object.keys(FORMATS).join(', ');
/** Deepest nesting of mappings and lists read. */
const MAX_NESTING = 32;
/** Repeated keys reported per file; the rest are counted. */
const MAX_REPORTED = 20;

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
  /**
   * Largest file read, in bytes; a larger file is a problem reported without parsing it.
   * @default MAX_ENVIRONMENT_FILE_BYTES (1 MiB)
   */
  readonly maxFileBytes?: number;
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
    const parsed = parseEnvironmentFile(file, options.maxFileBytes ?? MAX_ENVIRONMENT_FILE_BYTES);
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

/**
 * Reads one environment file into plain data: bounded, strict UTF-8, duplicate keys refused. Never throws for
 * bad input: every failure is a problem (without the file name, which the caller prefixes).
 * @param maxBytes largest file read
 */
export function parseEnvironmentFile(
  file: string,
  maxBytes: number = MAX_ENVIRONMENT_FILE_BYTES,
): { data: unknown } | { problems: string[] } {
  const read = readBounded(file, maxBytes);
  if ('problem' in read) return { problems: [read.problem] };
  const format = FORMATS[extname(file).toLowerCase()];
  if (format === undefined) {
    const extension = extname(file);
    return {
      problems: [
        extension === ''
          ? `has no file extension (allowed: ${ALLOWED_EXTENSIONS})`
          : `"${extension}" files are not supported (allowed: ${ALLOWED_EXTENSIONS})`,
      ],
    };
  }
  if (!isUtf8(read.bytes)) return { problems: [invalidUtf8Problem(read.bytes)] };
  // The BOM, if any, is not content (JSON.parse would reject it).
  const text = read.bytes.toString('utf8').replace(/^\uFEFF/, '');
  if (text.trim() === '') return { problems: [emptyProblem()] };
  const nesting = nestingProblem(text);
  if (nesting) return { problems: [nesting] };
  const parsed = format === 'json' ? parseJson(text) : parseYaml(text);
  if ('problems' in parsed) return parsed;
  if (parsed.data === null || parsed.data === undefined) return { problems: [emptyProblem()] };
  return parsed;
}

/**
 * Refuses nesting deeper than {@link MAX_NESTING} before parsing: the parsers recurse, and a deep enough file
 * (`[[[[...`) exhausts their stack or memory. Counts flow brackets and steps of indentation, in one pass;
 * brackets inside quoted strings count too, which only matters for a value with dozens of them.
 */
function nestingProblem(text: string): string | undefined {
  let flow = 0;
  const indents: number[] = [];
  let line = 1;
  let lineStart = 0;
  let atLineStart = true;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (char === 0x0a) {
      line += 1;
      lineStart = index + 1;
      atLineStart = true;
      continue;
    }
    if (atLineStart && char !== 0x20) {
      atLineStart = false;
      const indent = index - lineStart;
      if (char !== 0x23 && char !== 0x0d) {
        while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
        indents.push(indent);
      }
    }
    if (char === 0x5b || char === 0x7b) flow += 1;
    else if (char === 0x5d || char === 0x7d) flow -= 1;
    if (flow + indents.length > MAX_NESTING) {
      return (
        `nests deeper than ${MAX_NESTING} levels at line ${line} ` +
        `(allowed: at most ${MAX_NESTING}; an environment is about 5 levels deep)`
      );
    }
  }
  return undefined;
}

function emptyProblem(): string {
  return 'is empty (expected one environment: a YAML mapping or a JSON object, see docs/examples/sandbox.yaml)';
}

/** Reads at most `maxBytes` of a regular file; a larger, missing or special file is a problem. */
function readBounded(file: string, maxBytes: number): { bytes: Buffer } | { problem: string } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: 'does not exist (expected a .yaml, .yml or .json file)' };
    return { problem: `cannot be read: ${(error as Error).message}` };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { problem: 'is a folder (expected a .yaml, .yml or .json file)' };
    if (!stat.isFile()) return { problem: 'is not a regular file (expected a .yaml, .yml or .json file)' };
    if (stat.size > maxBytes) return { problem: tooLarge(stat.size, maxBytes) };
    // Read one byte past the limit, in case the file grew since fstat.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const count = readSync(fd, buffer, length, buffer.length - length, null);
      if (count === 0) break;
      length += count;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) return { problem: tooLarge(length, maxBytes) };
    return { bytes: buffer.subarray(0, length) };
  } catch (error) {
    return { problem: `cannot be read: ${(error as Error).message}` };
  } finally {
    closeSync(fd);
  }
}

function tooLarge(size: number, maxBytes: number): string {
  return `is too large: ${size} bytes or more (allowed: at most ${maxBytes} bytes; an environment is about 3 KB)`;
}

/** Locates the first byte that is not UTF-8: byte offset, line and column (both from 1, column in bytes). */
function invalidUtf8Problem(bytes: Buffer): string {
  const offset = firstInvalidUtf8Offset(bytes);
  let line = 1;
  let lineStart = 0;
  for (
    let index = bytes.indexOf(0x0a);
    index !== -1 && index < offset;
    index = bytes.indexOf(0x0a, index + 1)
  ) {
    line += 1;
    lineStart = index + 1;
  }
  const hex = `0x${bytes[offset].toString(16).padStart(2, '0')}`;
  return (
    `is not valid UTF-8: byte ${hex} at offset ${offset} (line ${line}, column ${offset - lineStart + 1}) ` +
    '(allowed: UTF-8 text only; re-save the file as UTF-8)'
  );
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8Offset(bytes: Buffer): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index];
    let length: number;
    let min = 0x80;
    let max = 0xbf;
    if (lead < 0x80) length = 1;
    else if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) min = 0xa0; // overlong
      if (lead === 0xed) max = 0x9f; // UTF-16 surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) min = 0x90; // overlong
      if (lead === 0xf4) max = 0x8f; // above U+10FFFF
    } else return index;
    for (let k = 1; k < length; k += 1) {
      const byte = bytes[index + k];
      const low = k === 1 ? min : 0x80;
      const high = k === 1 ? max : 0xbf;
      if (byte === undefined || byte < low || byte > high)
        return index + k < bytes.length ? index + k : index;
    }
    index += length;
  }
  return bytes.length - 1;
}

function parseJson(text: string): { data: unknown } | { problems: string[] } {
  try {
    JSON.parse(text);
  } catch (error) {
    return { problems: [`is not valid JSON: ${(error as Error).message}`] };
  }
  // JSON.parse keeps the last of repeated keys silently; JSON is YAML 1.2, so the YAML reader finds them.
  return parseYaml(text);
}

function parseYaml(text: string): { data: unknown } | { problems: string[] } {
  // uniqueKeys: false: the library's own check is quadratic in the size of a map; duplicateKeys() is linear.
  const lines = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: false, prettyErrors: true, lineCounter: lines });
  if (document.errors.length > 0) {
    return { problems: document.errors.map((e) => `is not valid YAML: ${e.message.split('\n')[0]}`) };
  }
  const structure = inspect(document.contents, (offset) => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  });
  if (structure.duplicates.length > MAX_REPORTED) {
    const more = structure.duplicates.length - MAX_REPORTED;
    return {
      problems: [...structure.duplicates.slice(0, MAX_REPORTED), `... and ${more} more repeated keys`],
    };
  }
  if (structure.duplicates.length > 0) return { problems: structure.duplicates };
  try {
    // maxAliasCount (the library's default, 100) stops alias bombs ("billion laughs") with a ReferenceError.
    return { data: document.toJS({ maxAliasCount: 100 }) as unknown };
  } catch (error) {
    const where = structure.firstAlias ? ` (first alias: ${structure.firstAlias})` : '';
    return {
      problems: [
        `is not valid YAML: ${(error as Error).message}${where} ` +
          '(allowed: at most 100 alias expansions; write the values out instead of nesting aliases)',
      ],
    };
  }
}

/**
 * One walk over the document: every repeated key of a map (by field path and position), and where the first
 * alias is. Linear: each map's keys go into a Set.
 */
function inspect(
  root: Node | null,
  position: (offset: number) => string,
): { duplicates: string[]; firstAlias?: string } {
  const duplicates: string[] = [];
  let firstAlias: string | undefined;
  const paths = new Map<unknown, string>([[root, '']]);
  const child = (parent: string, key: string, indexed: boolean) =>
    indexed ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
  visit(root ?? ({} as Node), {
    Alias(_, alias) {
      if (firstAlias === undefined) {
        const offset = alias.range?.[0] ?? 0;
        firstAlias = `*${alias.source} at ${position(offset)}`;
      }
    },
    Map(_, map) {
      const path = paths.get(map) ?? '';
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        // `<<` merge keys may repeat (the YAML merge-key convention).
        if (name === '<<') continue;
        const fieldPath = child(path, name, false);
        if (seen.has(name)) {
          const offset = pair.key.range?.[0] ?? 0;
          duplicates.push(
            `${fieldPath}: the key "${name}" is repeated at ${position(offset)} ` +
              '(allowed: each key once per mapping; a repeated key would silently replace the first value)',
          );
        }
        seen.add(name);
        if (pair.value !== null && !isAlias(pair.value)) paths.set(pair.value, fieldPath);
      }
    },
    Seq(_, seq) {
      const path = paths.get(seq) ?? '';
      seq.items.forEach((item, index) => {
        if ((isMap(item) || isSeq(item)) && !isAlias(item)) paths.set(item, child(path, String(index), true));
      });
    },
  });
  return { duplicates, firstAlias };
}
