import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync, version as esbuildVersion } from 'esbuild';
import type { BuildOptions } from 'esbuild';

/** A Lambda deployment package built from TypeScript. */
export interface FunctionBundle {
  /** Absolute path of the zip (in node_modules/.cache/wms-functions/, named after its SHA-256). */
  readonly zipPath: string;
  /** SHA-256 of the zip, hex. */
  readonly sha256Hex: string;
  /** SHA-256 of the zip, base64: Lambda's `source_code_hash`. */
  readonly sha256Base64: string;
  /** Bytes of the zip. */
  readonly bytes: number;
  /** Whether the zip of an earlier build was reused (no file it was built from has changed). */
  readonly fromCache: boolean;
}

/**
 * The folder holding package.json and functions/: found upwards from this file (the source tree, or dist/), else
 * from the working directory (an app bundled elsewhere and run from the repository, as cdktf runs it).
 */
export function repositoryRoot(from: string = __dirname): string {
  for (const start of [from, process.cwd()]) {
    let dir = start;
    for (;;) {
      if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'functions'))) return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(`no folder with package.json and functions/ above ${from} or ${process.cwd()}`);
}

/**
 * What a bundle's bytes depend on besides its input files: bump `format` when {@link storedZip} or the way the
 * bundle is put together changes (the esbuild options and version are part of the key by themselves).
 */
const BUNDLE_KEY = { format: 1, esbuild: esbuildVersion } as const;

/** The esbuild options of every function bundle (CommonJS, Node 20; the AWS SDK v3 is the Lambda runtime's). */
const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@aws-sdk/*', 'pg-native'],
  logLevel: 'silent',
  legalComments: 'none',
  charset: 'utf8',
  outfile: 'index.js',
  // Paths in the bundle (its module comments) as the repository lays them out, not where symbolic links lead: the
  // diff synthesizes its base in a git worktree whose node_modules is a link to this checkout's, and the zip must
  // not differ there (it did: every pull request's diff showed the function and its invocations replaced).
  preserveSymlinks: true,
} as const satisfies BuildOptions;

/** Where the zips and their build records go: `node_modules/.cache/wms-functions/` of the repository. */
function cacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'wms-functions');
}

/** The record of one build: every file esbuild read (relative to the repository) with its SHA-256, and the zip's. */
interface BuildRecord {
  readonly inputs: Readonly<Record<string, string>>;
  readonly zipSha256Hex: string;
}

const sha256 = (data: Buffer | string, encoding: 'hex' | 'base64' = 'hex') =>
  createHash('sha256').update(data).digest(encoding);

/** Writes under a unique name and renames: parallel synths never see half a file. */
function writeAtomically(path: string, data: Buffer | string): void {
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, path);
}

/** The zip of the last build of `entry` if none of the files it read has changed since, else undefined. */
function cachedZip(root: string, recordPath: string): string | undefined {
  let record: BuildRecord;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8')) as BuildRecord;
  } catch {
    return undefined; // never built here, or a record from an older format
  }
  const zipPath = join(cacheDir(root), `${record.zipSha256Hex}.zip`);
  if (!existsSync(zipPath)) return undefined;
  for (const [file, hash] of Object.entries(record.inputs)) {
    try {
      if (sha256(readFileSync(join(root, file))) !== hash) return undefined;
    } catch {
      return undefined; // an input is gone
    }
  }
  return zipPath;
}

/**
 * Bundles a function's TypeScript entry (a path under functions/, e.g. `functions/database-automation/handler.ts`)
 * with esbuild into `index.js` (CommonJS, Node 20; the AWS SDK v3 stays external: the Lambda runtime provides it)
 * and stores it in a zip whose bytes depend on the source only: one entry, stored uncompressed (deflate output
 * may differ between zlib builds), with a fixed 1980-01-01 timestamp and fixed attributes. Paths in the bundle
 * are relative to the repository, so every machine builds the same bytes and synth stays byte-identical.
 *
 * Built again only when a file the last build read has changed: a build record beside the zip lists each with its
 * SHA-256 (checking them costs a few milliseconds; building the bundle cost a few hundred on every synth).
 * @param root the repository (package.json, functions/, node_modules/)
 * @default root - found upwards from this file, see {@link repositoryRoot}
 */
export function bundleFunction(entry: string, root: string = repositoryRoot()): FunctionBundle {
  const dir = cacheDir(root);
  const recordPath = join(
    dir,
    `${sha256(JSON.stringify({ entry, ...BUNDLE_KEY, ...ESBUILD_OPTIONS }))}.json`,
  );
  let zipPath = cachedZip(root, recordPath);
  const fromCache = zipPath !== undefined;
  if (!zipPath) {
    const { zip, inputs } = buildZip(entry, root);
    const zipSha256Hex = sha256(zip);
    mkdirSync(dir, { recursive: true });
    zipPath = join(dir, `${zipSha256Hex}.zip`);
    if (!existsSync(zipPath)) writeAtomically(zipPath, zip);
    const record: BuildRecord = {
      inputs: Object.fromEntries(inputs.map((file) => [file, sha256(readFileSync(join(root, file)))])),
      zipSha256Hex,
    };
    writeAtomically(recordPath, JSON.stringify(record));
  }
  const zip = readFileSync(zipPath);
  return {
    zipPath,
    sha256Hex: sha256(zip),
    sha256Base64: sha256(zip, 'base64'),
    bytes: zip.length,
    fromCache,
  };
}

/** The zip of one entry, built now (no cache): see {@link bundleFunction}. */
export function buildFunctionZip(entry: string, root: string = repositoryRoot()): Buffer {
  return buildZip(entry, root).zip;
}

function buildZip(entry: string, root: string): { zip: Buffer; inputs: string[] } {
  const result = buildSync({
    ...ESBUILD_OPTIONS,
    external: [...ESBUILD_OPTIONS.external],
    absWorkingDir: root,
    entryPoints: [entry],
    write: false,
    metafile: true,
  });
  return {
    zip: storedZip('index.js', Buffer.from(result.outputFiles[0].contents)),
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO-HDLC), as zip uses it. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip with one stored (uncompressed) file, fixed timestamp (1980-01-01 00:00) and attributes (0644). */
export function storedZip(name: string, data: Buffer): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const crc = crc32(data);
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
  const DOS_TIME = 0;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt16LE(DOS_TIME, 10);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0 (so the mode below is read)
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(DOS_TIME, 12);
  central.writeUInt16LE(DOS_DATE, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  central.writeUInt32LE(((0o100644 << 16) >>> 0) as number, 38); // regular file, rw-r--r--
  central.writeUInt32LE(0, 42); // local header offset
  const centralSize = central.length + fileName.length;
  const centralOffset = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}
