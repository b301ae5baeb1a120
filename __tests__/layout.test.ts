import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
/** Build outputs and local state (.gitignore), never source. */
const NOT_SOURCE = new Set(['node_modules', 'dist', 'coverage', 'terraform-state', 'cdktf.out']);

function layoutBlock(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Project layout'));
  const block = /```\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md: no code block under "## Project layout"');
  return block[1]
    .split('\n')
    .filter((line) => /^\S/.test(line))
    .map((line) => line.split(/\s+/)[0]);
}

function directories(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((name) => !name.startsWith('.') && !NOT_SOURCE.has(name) && !name.startsWith('cdktf.out'))
    .filter((name) => statSync(join(ROOT, dir, name)).isDirectory())
    .map((name) => (dir ? `${dir}/${name}/` : `${name}/`));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `${dir}/${file.split('\\').join('/')}`);
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function exportedClasses(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^export (?:abstract )?class (\w+)/gm)].map((match) => match[1]);
}

describe('the project layout (README "Project layout")', () => {
  const listed = layoutBlock();

  it('lists only paths that exist', () => {
    const missing = listed.filter((path) => {
      try {
        statSync(join(ROOT, path));
        return false;
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
  });

  it('lists every top-level folder and every construct domain (and its private/ helpers)', () => {
    const constructFolders = directories('constructs').flatMap((domain) => [
      domain,
      ...directories(domain.slice(0, -1)),
    ]);
    const folders = [...directories('').filter((dir) => dir !== 'constructs/'), ...constructFolders];
    expect(folders.filter((dir) => !listed.includes(dir))).toEqual([]);
  });

  it('has no construct file outside a domain folder', () => {
    const loose = readdirSync(join(ROOT, 'constructs')).filter((name) => name.endsWith('.ts'));
    expect(loose).toEqual([]);
  });

  it('names every construct and stack file after the one class it exports (postgres-database.ts -> PostgresDatabase)', () => {
    const mismatches = [...sourceFiles('constructs'), ...sourceFiles('stacks')].flatMap((file) => {
      const classes = exportedClasses(file);
      if (classes.length === 0 && file.startsWith('constructs/')) return []; // helpers and pure functions
      const name = relative('.', file).split('/').pop()!.replace(/\.ts$/, '');
      return classes.length === 1 && kebab(classes[0]) === name
        ? []
        : [`${file}: ${classes.join(', ') || 'no class'}`];
    });
    expect(mismatches).toEqual([]);
  });
});
