import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { InterfaceNode } from '../../scripts/lib/chart-interface';
import {
  pruneSchema,
  readChart,
  readCrds,
  templateReferences,
  treeOfValues,
  typeOfDefault,
} from '../../scripts/lib/chart-interface';
import { bundleScript } from '../support/bundle';

const REPO = resolve(__dirname, '..', '..');
const FIXTURES = join(__dirname, 'fixtures');
const DEMO = join(FIXTURES, 'chart-demo');

describe('typeOfDefault and treeOfValues', () => {
  it('types each default; null and "" say nothing about the type', () => {
    expect([null, '', 'x', 1, true, [], {}].map(typeOfDefault)).toEqual([
      'any',
      'scalar',
      'string',
      'number',
      'boolean',
      'array',
      'object',
    ]);
    expect(treeOfValues({ a: { b: 1 }, c: [] })).toEqual({
      type: 'object',
      keys: { a: { type: 'object', keys: { b: { type: 'number' } } }, c: { type: 'array' } },
    });
  });
});

describe('templateReferences', () => {
  it('reads .Values paths, index/get, variables, with blocks, and marks toYaml/tpl/range-over-map as pass-through', () => {
    const refs = templateReferences([
      [
        '{{- $c := .Values.controller }}{{ $c.port }}',
        '{{ index .Values "grafana.ini" "paths" }}',
        '{{- with .Values.probe }}{{ .timeout }}{{ end }}',
        '{{- with .Values.podSecurityContext }}{{ toYaml . }}{{ end }}',
        '{{ tpl .Values.extraConfig . }}',
        '{{- range $k, $v := .Values.env }}{{ $k }}{{ end }}',
        '{{/* .Values.commented */}}',
      ].join('\n'),
    ]);
    const show = (paths: string[][]) => paths.map((p) => p.join('.')).sort();
    expect(show(refs.paths)).toEqual(
      expect.arrayContaining([
        'controller',
        'controller.port',
        'grafana.ini.paths',
        'probe',
        'probe.timeout',
        'podSecurityContext',
        'extraConfig',
        'env',
      ]),
    );
    expect(show(refs.paths)).not.toContain('commented');
    expect(show(refs.passThrough)).toEqual(['env', 'extraConfig', 'podSecurityContext']);
  });
});

describe('readChart (fixture chart folder)', () => {
  const entries = readChart(DEMO, 'fixture', '', '1.2.3');
  const [demo, sub] = entries;
  const keys = demo.values.keys as Record<string, InterfaceNode>;

  it('records id, version (overridden as helm package --version does), source and the values digest', () => {
    expect(entries.map((e) => e.id)).toEqual(['demo@1.2.3', 'demo@1.2.3>sub@1.0.0']);
    expect(demo.source).toEqual({
      from: 'fixture',
      valuesSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      schema: true,
    });
    expect(sub.source.from).toBe('fixture, charts/sub');
  });

  it('takes keys and types from values.yaml, the schema and the templates', () => {
    expect(keys.replicas).toEqual({ type: 'number' });
    expect(keys.name).toEqual({ type: 'scalar' });
    expect(keys.image).toEqual({ type: 'object', keys: { tag: { type: 'string' } } });
    expect(keys.labels).toEqual({ type: 'object', free: true });
    expect(keys.mode).toEqual({ type: 'any' });
    // Commented in values.yaml, read by the templates: a key all the same.
    expect(keys.resources).toEqual({ type: 'any', free: true });
    expect(keys.tls).toEqual({ type: 'any', keys: { certFile: { type: 'any' }, enabled: { type: 'any' } } });
    expect(keys.probe).toEqual({ type: 'any', keys: { port: { type: 'any' } } });
    expect(keys['weird-key']).toEqual({ type: 'any', keys: { inner: { type: 'any' } } });
  });

  it('marks pass-through blocks free: empty map defaults, toYaml, range over a map; always allows global', () => {
    expect(keys.nodeSelector).toEqual({ type: 'object', free: true });
    expect(keys.podSecurityContext).toEqual({
      type: 'object',
      free: true,
      keys: { fsGroup: { type: 'number' } },
    });
    expect(keys.extraEnv).toEqual({ type: 'any', free: true });
    expect(keys.global).toEqual({ type: 'object', free: true });
  });

  it('links each dependency: an unpacked subchart to its own entry, a remote one by name@version under its alias', () => {
    expect(keys.sub.subchart).toBe('demo@1.2.3>sub@1.0.0');
    expect(keys['remote-alias']).toEqual({ type: 'object', subchart: 'remote@2.3.4' });
    expect(sub.values.keys?.enabled).toEqual({ type: 'boolean' });
  });
});

describe('readCrds and pruneSchema', () => {
  it('keeps the served versions of each CRD, without descriptions, defaults and CEL rules', () => {
    expect(readCrds([join(FIXTURES, 'crds', 'widgets.yaml')], 'fixture')).toEqual([
      {
        group: 'example.com',
        kind: 'Widget',
        version: 'v1',
        source: 'fixture',
        schema: {
          type: 'object',
          properties: {
            spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer' } } },
          },
        },
      },
    ]);
    expect(pruneSchema({ description: 'x', enum: ['a'], items: { type: 'string', default: 'a' } })).toEqual({
      enum: ['a'],
      items: { type: 'string' },
    });
  });
});

describe('generate-chart-catalogue (command line)', () => {
  // Bundled like scripts/build.mjs does, inside node_modules so the external packages resolve.
  const dir = mkdtempSync(join(REPO, 'node_modules', '.catalogue-cli-test-'));
  const bundle = join(dir, 'generate-chart-catalogue.js');
  const run = (args: string[]) => spawnSync('node', [bundle, ...args], { cwd: REPO, encoding: 'utf8' });
  beforeAll(async () => {
    await bundleScript(join(REPO, 'scripts', 'generate-chart-catalogue.ts'), bundle);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help prints the usage and exits 0', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: generate-chart-catalogue --source/);
  });

  it('rejects an unknown option and a missing --source with exit 2', () => {
    expect(run(['--chrat', DEMO]).status).toBe(2);
    const missing = run(['--chart', DEMO]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--source is required/);
  });

  it('writes sorted entries with the source recorded, replaces an entry on regeneration, reads archives', () => {
    const catalogue = join(dir, 'catalogue.json');
    const schemas = join(dir, 'schemas.json');
    const args = ['--catalogue', catalogue, '--crd-schemas', schemas, '--crds', join(FIXTURES, 'crds')];
    expect(run(['--source', 'first', '--chart', DEMO, ...args]).status).toBe(0);
    expect(run(['--source', 'second', '--chart', DEMO, '--chart-version', '1.0.0', ...args]).status).toBe(0);
    const written = JSON.parse(readFileSync(catalogue, 'utf8')) as {
      charts: Record<string, { source: { from: string } }>;
    };
    expect(Object.keys(written.charts)).toEqual([
      'demo@0.0.1-dev',
      'demo@0.0.1-dev>sub@1.0.0',
      'demo@1.0.0',
      'demo@1.0.0>sub@1.0.0',
    ]);
    expect(written.charts['demo@1.0.0'].source.from).toBe('second (released as 1.0.0)');
    // A helm pull'ed archive gives the same entry as the folder it was packed from.
    const archive = join(dir, 'demo-1.0.0.tgz');
    expect(spawnSync('tar', ['-czf', archive, '-C', FIXTURES, 'chart-demo']).status).toBe(0);
    const fromArchive = join(dir, 'from-archive.json');
    const packed = ['--chart', archive, '--chart-version', '1.0.0', '--catalogue', fromArchive];
    expect(run(['--source', 'second', ...packed]).status).toBe(0);
    expect(
      (JSON.parse(readFileSync(fromArchive, 'utf8')) as { charts: Record<string, unknown> }).charts[
        'demo@1.0.0'
      ],
    ).toEqual(written.charts['demo@1.0.0']);
    const set = JSON.parse(readFileSync(schemas, 'utf8')) as { schemas: Record<string, { source: string }> };
    expect(Object.keys(set.schemas)).toEqual(['example.com/v1/Widget']);
    expect(set.schemas['example.com/v1/Widget'].source).toBe('second');
  });
});
