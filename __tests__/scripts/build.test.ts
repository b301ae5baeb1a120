import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');
/** npm ci unpacks every file with this modification time (npm normalises the times in published tarballs). */
const NPM_TARBALL_TIME = new Date('1985-10-26T08:15:00Z');

/**
 * scripts/build.mjs on a scratch project: main.ts and a script importing two fake packages, a built-in module and
 * esbuild (which stays outside the vendor bundle), with the real esbuild linked into its node_modules.
 */
describe('scripts/build.mjs (our bundle, and the vendor bundle rebuilt only when a package changes)', () => {
  let project: string;
  const write = (file: string, text: string, time?: Date): void => {
    mkdirSync(join(project, file, '..'), { recursive: true });
    writeFileSync(join(project, file), text);
    if (time) utimesSync(join(project, file), time, time);
  };
  const build = () => spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: project, encoding: 'utf8' });
  const run = (file: string) => spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8' });
  const mtime = (file: string) => statSync(join(project, file)).mtimeMs;
  const stamp = () =>
    JSON.parse(readFileSync(join(project, 'dist', '.build-inputs.json'), 'utf8')) as {
      vendor: { packages: string[] };
    };

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'wms-build-test-'));
    mkdirSync(join(project, 'scripts'));
    copyFileSync(join(REPO, 'scripts', 'build.mjs'), join(project, 'scripts', 'build.mjs'));
    write('package.json', '{ "name": "scratch", "private": true }\n');
    write('tsconfig.json', '{}\n');
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(join(REPO, 'node_modules', 'esbuild'), join(project, 'node_modules', 'esbuild'));
    write(
      'node_modules/greeting/package.json',
      '{ "name": "greeting", "main": "index.js" }\n',
      NPM_TARBALL_TIME,
    );
    write('node_modules/greeting/index.js', 'exports.greet = (who) => `hello ${who}`;\n', NPM_TARBALL_TIME);
    write('node_modules/shout/package.json', '{ "name": "shout", "main": "index.js" }\n', NPM_TARBALL_TIME);
    write(
      'node_modules/shout/index.js',
      'module.exports = (text) => text.toUpperCase();\n',
      NPM_TARBALL_TIME,
    );
    write(
      'main.ts',
      [
        "import { basename } from 'node:path';",
        "import { version } from 'esbuild';",
        "import { greet } from 'greeting';",
        "console.log(greet(basename('/x/world')), typeof version);",
        '',
      ].join('\n'),
    );
    write('scripts/tool.ts', "import { greet } from 'greeting';\nconsole.log(greet('tool'));\n");
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('GIVEN a first build THEN our code imports packages only through dist/vendor.js, and both programs run', () => {
    const result = build();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const main = readFileSync(join(project, 'dist', 'main.js'), 'utf8');
    expect(main).toContain('require("./vendor.js")("greeting")');
    expect(main).not.toContain('hello ${who}'); // the package's code is in the vendor bundle, not here
    expect(main).toContain('require("esbuild")'); // a native binary: left to Node
    expect(main).toContain('require("node:path")');
    expect(readFileSync(join(project, 'dist', 'vendor.js'), 'utf8')).toContain('hello ${who}');
    expect(readFileSync(join(project, 'dist', 'scripts', 'vendor.js'), 'utf8')).toBe(
      'module.exports = require("../vendor.js");\n',
    );
    expect(stamp().vendor.packages).toEqual(['greeting']);
    expect(run('dist/main.js').stdout).toBe('hello world string\n');
    expect(run('dist/scripts/tool.js').stdout).toBe('hello tool\n');
  });

  it('GIVEN nothing changed THEN nothing is rebuilt', () => {
    const before = [mtime('dist/main.js'), mtime('dist/vendor.js'), mtime('dist/.build-inputs.json')];
    expect(build().status).toBe(0);
    expect([mtime('dist/main.js'), mtime('dist/vendor.js'), mtime('dist/.build-inputs.json')]).toEqual(
      before,
    );
  });

  it('GIVEN an edit of our code THEN only our bundle is rebuilt', () => {
    const vendor = mtime('dist/vendor.js');
    write('scripts/tool.ts', "import { greet } from 'greeting';\nconsole.log(greet('edited tool'));\n");
    utimesSync(join(project, 'scripts', 'tool.ts'), new Date(Date.now() + 5000), new Date(Date.now() + 5000));
    expect(build().status).toBe(0);
    expect(run('dist/scripts/tool.js').stdout).toBe('hello edited tool\n');
    expect(mtime('dist/vendor.js')).toBe(vendor);
  });

  it('GIVEN a package updated with an old modification time (as npm ci unpacks it) THEN the vendor bundle is rebuilt', () => {
    write(
      'node_modules/greeting/index.js',
      'exports.greet = (who) => `hello there, ${who}`;\n',
      NPM_TARBALL_TIME,
    );
    expect(build().status).toBe(0);
    expect(run('dist/main.js').stdout).toBe('hello there, world string\n');
  });

  it('GIVEN a new package import THEN the vendor bundle holds it too', () => {
    write(
      'scripts/tool.ts',
      "import shout from 'shout';\nimport { greet } from 'greeting';\nconsole.log(shout(greet('tool')));\n",
    );
    utimesSync(
      join(project, 'scripts', 'tool.ts'),
      new Date(Date.now() + 10000),
      new Date(Date.now() + 10000),
    );
    expect(build().status).toBe(0);
    expect(stamp().vendor.packages).toEqual(['greeting', 'shout']);
    expect(run('dist/scripts/tool.js').stdout).toBe('HELLO THERE, TOOL\n');
  });

  it('GIVEN the vendor bundle deleted THEN it is rebuilt', () => {
    rmSync(join(project, 'dist', 'vendor.js'));
    expect(build().status).toBe(0);
    expect(run('dist/main.js').stdout).toBe('hello there, world string\n');
  });

  it('GIVEN the record of a build from before the vendor bundle THEN both bundles are built', () => {
    const file = join(project, 'dist', '.build-inputs.json');
    const { vendor, ...older } = JSON.parse(readFileSync(file, 'utf8')) as { vendor: unknown };
    expect(vendor).toBeDefined();
    writeFileSync(file, JSON.stringify(older));
    rmSync(join(project, 'dist', 'vendor.js'));
    expect(build().status).toBe(0);
    expect(stamp().vendor.packages).toEqual(['greeting', 'shout']);
    expect(run('dist/main.js').stdout).toBe('hello there, world string\n');
  });
});
