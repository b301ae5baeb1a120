import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  buildFunctionZip,
  bundleFunction,
  crc32,
  repositoryRoot,
  storedZip,
} from '../../../constructs/shared/function-bundle';
import { DATABASE_AUTOMATION_ENTRY } from '../../../constructs/database/database-automation';

describe('function bundles', () => {
  it('computes zip\'s CRC-32 (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes a zip that a real unzip reads back byte for byte, with a fixed 1980-01-01 timestamp', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wms-zip-'));
    try {
      const content = Buffer.from('exports.handler = async () => 42;\n');
      writeFileSync(join(dir, 'a.zip'), storedZip('index.js', content));
      const listing = execFileSync('python3', [
        '-c',
        'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); z.testzip(); i = z.infolist()[0]; print(i.filename, i.date_time, oct(i.external_attr >> 16), i.compress_type); sys.stdout.write(z.read("index.js").decode())',
        join(dir, 'a.zip'),
      ]).toString();
      expect(listing).toBe(`index.js (1980, 1, 1, 0, 0, 0) 0o100644 0\n${content.toString()}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bundles the database automation into the same bytes every time, with no absolute path inside', () => {
    const bundle = bundleFunction(DATABASE_AUTOMATION_ENTRY);
    const zip = readFileSync(bundle.zipPath);
    expect(bundle.zipPath).toBe(
      join(repositoryRoot(), 'node_modules', '.cache', 'wms-functions', `${bundle.sha256Hex}.zip`),
    );
    expect(zip.length).toBe(bundle.bytes);
    expect(zip.toString('latin1')).not.toContain(repositoryRoot());
    // pg is bundled; the AWS SDK is left to the Lambda runtime.
    expect(zip.toString('latin1')).toContain('node_modules/pg/lib/client.js');
    expect(zip.toString('latin1')).toContain('require(name)');
    // A fresh build gives the same bytes: nothing time- or machine-dependent goes in.
    expect(buildFunctionZip(DATABASE_AUTOMATION_ENTRY).equals(zip)).toBe(true);
  });

  describe('the build cache (node_modules/.cache/wms-functions)', () => {
    let root: string;
    const entry = 'functions/echo/handler.ts';
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'wms-bundle-'));
      write('package.json', '{"name":"fixture","private":true}\n');
      write(entry, "import { greeting } from './greeting';\nexport const handler = async () => greeting;\n");
      write('functions/echo/greeting.ts', "export const greeting = 'hello';\n");
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('reuses the zip while no file the build read has changed, and builds again when one has', () => {
      const first = bundleFunction(entry, root);
      expect(first.fromCache).toBe(false);
      const again = bundleFunction(entry, root);
      expect(again).toEqual({ ...first, fromCache: true });

      // An imported file, not only the entry, is an input.
      write('functions/echo/greeting.ts', "export const greeting = 'bonjour';\n");
      const changed = bundleFunction(entry, root);
      expect(changed.fromCache).toBe(false);
      expect(changed.sha256Hex).not.toBe(first.sha256Hex);
      expect(readFileSync(changed.zipPath).toString('latin1')).toContain('bonjour');
      expect(bundleFunction(entry, root).fromCache).toBe(true);

      // The same sources as the first build give the first build's bytes.
      write('functions/echo/greeting.ts', "export const greeting = 'hello';\n");
      expect(bundleFunction(entry, root)).toEqual({ ...first, fromCache: false });
    });

    it('builds again when the zip is gone or the record is unreadable', () => {
      const first = bundleFunction(entry, root);
      rmSync(first.zipPath);
      expect(bundleFunction(entry, root)).toEqual(first);
      const records = readdirSync(dirname(first.zipPath)).filter((file) => file.endsWith('.json'));
      expect(records).toHaveLength(1);
      writeFileSync(join(dirname(first.zipPath), records[0]), '{not json');
      expect(bundleFunction(entry, root)).toEqual(first);
      expect(bundleFunction(entry, root).fromCache).toBe(true);
    });

    it('gives the same bytes when node_modules is a symbolic link (the diff synthesizes its base that way)', () => {
      write('node_modules/greeting-lib/package.json', '{"name":"greeting-lib","main":"index.js"}\n');
      write('node_modules/greeting-lib/index.js', "exports.greeting = 'hello from a package';\n");
      write(
        entry,
        "import { greeting } from 'greeting-lib';\nexport const handler = async () => greeting;\n",
      );
      const linked = mkdtempSync(join(tmpdir(), 'wms-bundle-linked-'));
      try {
        for (const file of ['package.json', entry]) {
          mkdirSync(dirname(join(linked, file)), { recursive: true });
          writeFileSync(join(linked, file), readFileSync(join(root, file)));
        }
        symlinkSync(join(root, 'node_modules'), join(linked, 'node_modules'), 'dir');
        const zip = buildFunctionZip(entry, root);
        expect(zip.toString('latin1')).toContain('// node_modules/greeting-lib/index.js');
        expect(buildFunctionZip(entry, linked).equals(zip)).toBe(true);
      } finally {
        rmSync(linked, { recursive: true, force: true });
      }
    });

    it('builds again when an input is deleted', () => {
      bundleFunction(entry, root);
      write(entry, 'export const handler = async () => 1;\n');
      rmSync(join(root, 'functions/echo/greeting.ts'));
      const rebuilt = bundleFunction(entry, root);
      expect(rebuilt.fromCache).toBe(false);
      expect(readFileSync(rebuilt.zipPath).toString('latin1')).not.toContain('hello');
    });
  });
});
