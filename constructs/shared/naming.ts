/**
 * Physical names: `<prefix>-<part>-<part>`, e.g. `wms-prod-flow-logs`. The prefix is `wms-<environment>`.
 * Every physical name in the project comes from here.
 */
export function physicalName(prefix: string, ...parts: string[]): string {
  return [prefix, ...parts].join('-');
}
