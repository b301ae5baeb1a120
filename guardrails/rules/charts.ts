import { parse } from 'yaml';
import catalogueJson from '../chart-catalogue.json';
import crdSchemasJson from '../crd-schemas.json';
import type { ChartCatalogue, CrdSchemaSet } from '../chart-interface';
import { checkCustomResource, checkValues } from '../chart-interface';
import type { Rule, Violation } from '../types';
import { isExpression, isObject } from '../../model/values';
import { PASS } from './helpers';

const CATALOGUE = catalogueJson as unknown as ChartCatalogue;
const CRD_SCHEMAS = crdSchemasJson as unknown as CrdSchemaSet;
const REGENERATE = 'scripts/generate-chart-catalogue.ts (README "Chart interfaces and CRD schemas")';

/** Rules that check what the cluster stacks ask Kubernetes for against the upstream interfaces. */
export const chartRules: readonly Rule[] = [
  {
    id: 'WMS_HELM_001',
    title: "Helm values match the chart's interface",
    severity: 'high',
    resourceTypes: ['helm_release'],
    requirement:
      "Every values key is one the pinned chart version has (its values.yaml, values.schema.json or a `.Values` path its templates read, per guardrails/chart-catalogue.json), with the chart's type: Helm silently ignores any other key.",
    fix:
      'use the key the chart reads (see the "did you mean"), or regenerate the catalogue when the chart version changed: ' +
      REGENERATE,
    check(release) {
      const { chart, version, values } = release.body;
      if (
        typeof chart !== 'string' ||
        typeof version !== 'string' ||
        isExpression(chart) ||
        isExpression(version)
      )
        return PASS;
      const documents = (Array.isArray(values) ? values : []).filter(
        (v): v is string => typeof v === 'string',
      );
      const violations: Violation[] = [];
      documents.forEach((text, index) => {
        let parsed: unknown;
        try {
          parsed = parse(text);
        } catch (error) {
          violations.push({
            message: `values[${index}] is not YAML: ${(error as Error).message.split('\n')[0]}`,
          });
          return;
        }
        if (parsed === null || parsed === undefined) return;
        if (!isObject(parsed)) {
          violations.push({ message: `values[${index}] is not a YAML map` });
          return;
        }
        const chartId = `${chart}@${version}`;
        for (const problem of checkValues(parsed, chartId, CATALOGUE)) {
          violations.push(
            problem.startsWith('no interface of chart')
              ? { message: problem, fix: `generate it from the chart source with ${REGENERATE}` }
              : { message: `${chartId} values: ${problem}` },
          );
        }
      });
      return violations;
    },
  },
  {
    id: 'WMS_CRD_001',
    title: "Custom resources match their CRD's schema",
    severity: 'high',
    resourceTypes: ['kubernetes_manifest'],
    requirement:
      "A custom resource's fields, types, enums, patterns and required fields match the OpenAPI schema of its CRD at the pinned version (guardrails/crd-schemas.json); the API server would reject it or drop unknown fields.",
    fix: 'fix the field as the schema says, or add the CRD version to the schema set: ' + REGENERATE,
    check(resource) {
      const manifest = resource.body.manifest;
      const kind = isObject(manifest) ? `${String(manifest.apiVersion)} ${String(manifest.kind)}` : '';
      return checkCustomResource(manifest, CRD_SCHEMAS).map((problem) => ({
        message: problem.endsWith('guardrails/crd-schemas.json') ? problem : `${kind}: ${problem}`,
      }));
    },
  },
];
