/**
 * IPv4 CIDR arithmetic done at synth time, so plans show literal subnet CIDRs.
 *
 * Used by the Network construct to lay out subnets and by config validation to check that the layout fits.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Block {
  /** First address as an unsigned 32-bit integer. */
  readonly base: number;
  /** Prefix length, 0-32. */
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined unless it is a canonical IPv4 CIDR (no host bits set). */
export function parseCidr(cidr: string): Ipv4Block | undefined {
  const match = CIDR_PATTERN.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  if (base % blockSize(prefix) !== 0) return undefined;
  return { base, prefix };
}

/** Number of addresses in a block of the given prefix length. */
export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** Formats a block as `a.b.c.d/n`. */
export function formatCidr(block: Ipv4Block): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(block.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${block.prefix}`;
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.base < b.base + blockSize(b.prefix) && b.base < a.base + blockSize(a.prefix);
}

/** The subnet tiers of the VPC layout. */
export type SubnetTier = 'public' | 'private' | 'database';

/** Tiers in layout order: the private tier (pods take one VPC address each) comes first and is the largest. */
export const SUBNET_TIERS: readonly SubnetTier[] = ['private', 'public', 'database'];

/**
 * Availability-zone slots reserved per tier. Every tier reserves this many subnets' worth of space, so adding
 * an AZ to an environment (up to this many) never moves an existing subnet.
 */
export const AZ_SLOTS = 4;

/** Prefix length of each tier's per-AZ subnets. */
export type SubnetPrefixLengths = Readonly<Record<SubnetTier, number>>;

/** Default per-AZ subnet sizes: a /19 private subnet leaves room for about 8,000 pod IPs (VPC CNI) per AZ. */
export const DEFAULT_SUBNET_PREFIX_LENGTHS: SubnetPrefixLengths = { private: 19, public: 24, database: 24 };

/** The planned subnet CIDRs: per tier, one per AZ in the order the AZs are listed. */
export type SubnetPlan = Readonly<Record<SubnetTier, readonly string[]>>;

/**
 * Lays out one subnet per tier and AZ inside the VPC.
 *
 * Each tier gets a block of `AZ_SLOTS` subnets, aligned to its size, in `SUBNET_TIERS` order; AZ `i` takes slot
 * `i` of every tier. Returns the problems instead when the layout cannot fit.
 */
export function planSubnets(
  vpcCidr: string,
  azCount: number,
  prefixLengths: SubnetPrefixLengths,
): { plan: SubnetPlan } | { problems: string[] } {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) return { problems: [`"${vpcCidr}" is not an IPv4 CIDR`] };
  const problems: string[] = [];
  for (const tier of SUBNET_TIERS) {
    const prefix = prefixLengths[tier];
    if (prefix <= vpc.prefix + Math.log2(AZ_SLOTS) - 1 || prefix > 28) {
      problems.push(
        `${tier} subnets of /${prefix} do not fit ${AZ_SLOTS} AZ slots in a /${vpc.prefix} VPC ` +
          `(allowed: /${vpc.prefix + Math.log2(AZ_SLOTS)} to /28)`,
      );
    }
  }
  if (azCount > AZ_SLOTS) problems.push(`${azCount} AZs exceed the ${AZ_SLOTS} AZ slots of the layout`);
  if (problems.length > 0) return { problems };

  const plan: Record<SubnetTier, string[]> = { private: [], public: [], database: [] };
  const vpcEnd = vpc.base + blockSize(vpc.prefix);
  let next = vpc.base;
  for (const tier of SUBNET_TIERS) {
    const subnetSize = blockSize(prefixLengths[tier]);
    const tierSize = subnetSize * AZ_SLOTS;
    const start = Math.ceil(next / tierSize) * tierSize;
    if (start + tierSize > vpcEnd) {
      const needed = SUBNET_TIERS.map((t) => `${AZ_SLOTS} x /${prefixLengths[t]} ${t}`).join(', ');
      return { problems: [`the subnets (${needed}) do not fit in ${vpcCidr}`] };
    }
    for (let az = 0; az < azCount; az++) {
      plan[tier].push(formatCidr({ base: start + az * subnetSize, prefix: prefixLengths[tier] }));
    }
    next = start + tierSize;
  }
  return { plan };
}
