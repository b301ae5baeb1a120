/**
 * The committed price table of the cost estimate (cost/prices.json): unit prices per region, each with its source,
 * the date it was written and how sure it is, and the usage assumptions the synthesized JSON cannot tell.
 */
import table from './prices.json';

/** How a price was obtained: read from AWS, quoted by a dated third-party page, or recalled (check it). */
export type PriceStatus = 'verified' | 'secondary' | 'recalled';

/** One unit price. */
export interface PriceRow {
  /** What is priced, `<service>:<item>`, e.g. `ec2:m6i.large` or `vpc:nat-gateway`. */
  readonly key: string;
  readonly region: string;
  /** The unit the price is for, e.g. `instance-hour`, `GB-month`. */
  readonly unit: string;
  readonly usd: number;
  /** The pricing page. */
  readonly source: string;
  /** When the row was written (YYYY-MM-DD). */
  readonly retrieved: string;
  readonly status: PriceStatus;
  readonly note?: string;
}

/** A usage the synthesized JSON cannot tell, and why it has this value. */
export interface Assumption {
  readonly value: number;
  readonly why: string;
}

/** The assumptions the estimate uses (keys of `assumptions` in cost/prices.json). */
export type AssumptionName = keyof typeof table.assumptions;

/** The whole table. */
export interface PriceTable {
  readonly currency: string;
  /** Hours in the average month (AWS's own convention: 730). */
  readonly hoursPerMonth: number;
  readonly assumptions: Readonly<Record<AssumptionName, Assumption>>;
  readonly prices: readonly PriceRow[];
}

/** The committed table. */
export const PRICE_TABLE: PriceTable = table as PriceTable;

/** A price the table lacks: the estimate names it instead of guessing. */
export class MissingPriceError extends Error {
  constructor(
    public readonly key: string,
    public readonly region: string,
  ) {
    super(`no price for ${key} in ${region} in cost/prices.json`);
    this.name = 'MissingPriceError';
  }
}

/** Looks prices up by key and region. */
export class Prices {
  private readonly rows = new Map<string, PriceRow>();

  constructor(public readonly table: PriceTable = PRICE_TABLE) {
    for (const row of table.prices) this.rows.set(`${row.region}/${row.key}`, row);
  }

  /** The row for `key` in `region`, or undefined. */
  public find(key: string, region: string): PriceRow | undefined {
    return this.rows.get(`${region}/${key}`);
  }

  /**
   * The row for `key` in `region`.
   * @throws MissingPriceError when the table has none
   */
  public get(key: string, region: string): PriceRow {
    const row = this.find(key, region);
    if (!row) throw new MissingPriceError(key, region);
    return row;
  }

  /** The value of an assumption. */
  public assume(name: AssumptionName): number {
    return this.table.assumptions[name].value;
  }

  /** The regions the table covers. */
  public regions(): string[] {
    return [...new Set(this.table.prices.map((row) => row.region))].sort();
  }
}
