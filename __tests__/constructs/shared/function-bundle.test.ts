import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
