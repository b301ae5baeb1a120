/**
 * Regenerates the chart interface catalogue (`guardrails/chart-catalogue.json`) and the CRD schema set
 * (`guardrails/crd-schemas.json`) that the guardrails check every Helm release and custom resource against.
 *
 * Usage (see README "Chart interfaces and CRD schemas"):
 *
 *   node scripts/build.mjs && node dist/scripts/generate-chart-catalogue.js \
 *     --source "helm pull oci://public.ecr.aws/karpenter/karpenter --version 1.14.1" \
 *     --chart karpenter-1.14.1.tgz --crds karpenter/crds/karpenter.sh_nodepools.yaml
 *
 * `--chart` takes a chart folder (with Chart.yaml) or a `helm pull`ed `.tgz`; `--crds` a CRD YAML file or a folder
 * of them. `--source` says where the input came from (recorded in every entry written). Entries with the same id
 * (`chart@version`, or `group/version/Kind`) are replaced; all others are kept, so charts can be added one at a
 * time. Output is sorted and deterministic.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChartEntry, CrdSchemaEntry } from './lib/chart-interface';
import { readChart, readCrds } from './lib/chart-interface';

const USAGE = `usage: generate-chart-catalogue --source <text> [--chart <folder|.tgz>]... [--crds <file|folder>]...
  [--catalogue guardrails/chart-catalogue.json] [--crd-schemas guardrails/crd-schemas.json]

  --source       where the inputs come from: a git tag and path, or the helm pull command (required)
  --chart        a chart folder or a helm pull'ed archive; its unpacked subcharts are read too (repeatable)
  --crds         a CustomResourceDefinition YAML file, or a folder of them (repeatable)
  --chart-version  the version the chart is released as, when its release stamps it (helm package --version)
  --catalogue    the chart catalogue to update (default guardrails/chart-catalogue.json)
  --crd-schemas  the CRD schema set to update (default guardrails/crd-schemas.json)
  --help         print this and exit`;

/** The chart catalogue file. */
export interface ChartCatalogue {
  readonly generatedBy: string;
  readonly charts: Record<string, ChartEntry>;
}

/** The CRD schema set file, keyed `group/version/Kind`. */
export interface CrdSchemaSet {
  readonly generatedBy: string;
  readonly schemas: Record<string, CrdSchemaEntry>;
}

const GENERATED_BY = 'scripts/generate-chart-catalogue.ts';

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, record[key]]),
  );
}

function readJson<T>(file: string, empty: T): T {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : empty;
}

function chartFolder(path: string, scratch: string): string {
  if (statSync(path).isDirectory()) return path;
  const into = mkdtempSync(join(scratch, 'chart-'));
  const tar = spawnSync('tar', ['-xzf', path, '-C', into], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`--chart: cannot unpack "${path}": ${tar.stderr}`);
  const [top] = readdirSync(into);
  if (!top || !existsSync(join(into, top, 'Chart.yaml'))) {
    throw new Error(`--chart: "${path}" holds no chart folder with a Chart.yaml`);
  }
  return join(into, top);
}

function crdFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(path, name));
}

function main(): number {
  const { values } = parseArgs({
    options: {
      source: { type: 'string' },
      chart: { type: 'string', multiple: true, default: [] },
      crds: { type: 'string', multiple: true, default: [] },
      catalogue: { type: 'string', default: 'guardrails/chart-catalogue.json' },
      'crd-schemas': { type: 'string', default: 'guardrails/crd-schemas.json' },
      'chart-version': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.source) throw new Error(`--source is required\n${USAGE}`);
  if (values.chart.length === 0 && values.crds.length === 0)
    throw new Error(`give --chart or --crds\n${USAGE}`);
  for (const path of [...values.chart, ...values.crds]) {
    if (!existsSync(path)) throw new Error(`"${path}" does not exist`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'wms-charts-'));
  try {
    if (values.chart.length > 0) {
      const catalogue = readJson<ChartCatalogue>(values.catalogue, { generatedBy: GENERATED_BY, charts: {} });
      const charts = { ...catalogue.charts };
      for (const path of values.chart) {
        const version = values['chart-version'];
        const from = version ? `${values.source} (released as ${version})` : values.source;
        for (const entry of readChart(chartFolder(path, scratch), from, '', version)) {
          charts[entry.id] = entry;
          console.log(`${values.catalogue}: ${entry.id}`);
        }
      }
      writeFileSync(
        values.catalogue,
        `${JSON.stringify({ generatedBy: GENERATED_BY, charts: sorted(charts) })}\n`,
      );
    }
    if (values.crds.length > 0) {
      const set = readJson<CrdSchemaSet>(values['crd-schemas'], { generatedBy: GENERATED_BY, schemas: {} });
      const schemas = { ...set.schemas };
      for (const entry of readCrds(values.crds.flatMap(crdFiles), values.source)) {
        const id = `${entry.group}/${entry.version}/${entry.kind}`;
        schemas[id] = entry;
        console.log(`${values['crd-schemas']}: ${id}`);
      }
      writeFileSync(
        values['crd-schemas'],
        `${JSON.stringify({ generatedBy: GENERATED_BY, schemas: sorted(schemas) })}\n`,
      );
    }
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  process.exit(main());
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
