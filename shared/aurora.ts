/**
 * Memory of the Aurora instance classes this project offers, in GiB. Aurora PostgreSQL sizes an instance's local
 * (temporary) storage at about twice its memory; a Serverless v2 instance gets 2 GiB of memory per ACU.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.Summary.html
 */
const MEMORY_GIB: Readonly<Record<string, number>> = {
  'db.t4g.medium': 4,
  'db.t4g.large': 8,
  'db.r6g.large': 16,
  'db.r6g.xlarge': 32,
  'db.r6g.2xlarge': 64,
  'db.r6g.4xlarge': 128,
  'db.r7g.large': 16,
  'db.r7g.xlarge': 32,
  'db.r7g.2xlarge': 64,
};

/** The instance classes {@link auroraLocalStorageGiB} knows. */
export const KNOWN_INSTANCE_CLASSES = Object.keys(MEMORY_GIB);

/**
 * Approximate local storage of one Aurora PostgreSQL instance, in GiB, or undefined for an unknown class.
 * @param maxCapacity - the Serverless v2 maximum, in ACUs, for `db.serverless`
 */
export function auroraLocalStorageGiB(instanceClass: string, maxCapacity?: number): number | undefined {
  const memory =
    instanceClass === 'db.serverless' && maxCapacity ? maxCapacity * 2 : MEMORY_GIB[instanceClass];
  return memory === undefined ? undefined : Math.ceil(memory * 2);
}

/** Aurora PostgreSQL majors this construct supports; each one's parameter-group defaults were checked. */
export const SUPPORTED_MAJOR_VERSIONS = ['16'] as const;

/** CloudWatch alarm thresholds of the database. */
export interface DatabaseAlarmThresholds {
  /** Writer CPU utilisation, percent, over 3 x 5 minutes. */
  readonly cpuPercent: number;
  /** Freeable memory of any instance, MiB. */
  readonly freeableMemoryMiB: number;
  /** Free local (temporary) storage of any instance, GiB. */
  readonly freeLocalStorageGiB: number;
  /** Maximum replica lag, milliseconds. */
  readonly replicaLagMs: number;
  /** Connections to any instance: set below the instance class's max_connections. */
  readonly connections: number;
  /** Client connections to the proxy. */
  readonly proxyClientConnections: number;
}

/** Serverless v2 capacity, in Aurora capacity units. */
export interface ServerlessCapacity {
  /** Minimum ACUs (0 pauses when idle; 0.5 is the lowest always-on value). */
  readonly minCapacity: number;
  /** Maximum ACUs. */
  readonly maxCapacity: number;
}
