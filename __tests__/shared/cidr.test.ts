import {
  DEFAULT_SUBNET_PREFIX_LENGTHS,
  formatCidr,
  overlaps,
  parseCidr,
  planSubnets,
} from '../../shared/cidr';

describe('parseCidr', () => {
  it.each(['10.20.0.0/16', '0.0.0.0/0', '192.168.1.128/25', '10.0.0.1/32'])(
    'accepts %s and formats it back',
    (cidr) => {
      const block = parseCidr(cidr);
      expect(block).toBeDefined();
      expect(formatCidr(block!)).toBe(cidr);
    },
  );

  it.each(['10.0.0.0/33', '10.0.0.256/24', '10.0.0.1/24', '10.0.0/24', 'ten/8', '10.0.0.0'])(
    'rejects %s',
    (cidr) => {
      expect(parseCidr(cidr)).toBeUndefined();
    },
  );
});

describe('overlaps', () => {
  const block = (cidr: string) => parseCidr(cidr)!;
  it('GIVEN nested or equal blocks THEN they overlap', () => {
    expect(overlaps(block('10.0.0.0/8'), block('10.20.0.0/16'))).toBe(true);
    expect(overlaps(block('10.20.0.0/16'), block('10.20.0.0/16'))).toBe(true);
  });
  it('GIVEN adjacent blocks THEN they do not overlap', () => {
    expect(overlaps(block('10.20.0.0/16'), block('10.21.0.0/16'))).toBe(false);
  });
});

describe('planSubnets', () => {
  it('GIVEN a /16 and the default sizes WHEN planning 3 AZs THEN private, public, database blocks follow each other', () => {
    const result = planSubnets('10.30.0.0/16', 3, DEFAULT_SUBNET_PREFIX_LENGTHS);
    expect(result).toEqual({
      plan: {
        private: ['10.30.0.0/19', '10.30.32.0/19', '10.30.64.0/19'],
        public: ['10.30.128.0/24', '10.30.129.0/24', '10.30.130.0/24'],
        database: ['10.30.132.0/24', '10.30.133.0/24', '10.30.134.0/24'],
      },
    });
  });

  it('GIVEN two AZs WHEN a third is appended THEN the existing subnets keep their CIDRs', () => {
    const two = planSubnets('10.10.0.0/16', 2, DEFAULT_SUBNET_PREFIX_LENGTHS);
    const three = planSubnets('10.10.0.0/16', 3, DEFAULT_SUBNET_PREFIX_LENGTHS);
    if (!('plan' in two) || !('plan' in three)) throw new Error('expected plans');
    for (const tier of ['private', 'public', 'database'] as const) {
      expect(three.plan[tier].slice(0, 2)).toEqual(two.plan[tier]);
    }
  });

  it('GIVEN subnets too large for the VPC THEN it names the sizes that do not fit', () => {
    const result = planSubnets('10.10.0.0/20', 2, { private: 22, public: 24, database: 24 });
    expect(result).toEqual({
      problems: [
        'the subnets (4 x /22 private, 4 x /24 public, 4 x /24 database) do not fit in 10.10.0.0/20',
      ],
    });
  });

  it('GIVEN a subnet prefix that cannot hold 4 AZ slots THEN it says which range is allowed', () => {
    const result = planSubnets('10.10.0.0/16', 2, { private: 17, public: 24, database: 24 });
    expect(result).toEqual({
      problems: ['private subnets of /17 do not fit 4 AZ slots in a /16 VPC (allowed: /18 to /28)'],
    });
  });

  it('GIVEN more AZs than slots THEN it refuses', () => {
    expect(planSubnets('10.10.0.0/16', 5, DEFAULT_SUBNET_PREFIX_LENGTHS)).toEqual({
      problems: ['5 AZs exceed the 4 AZ slots of the layout'],
    });
  });

  it('GIVEN a VPC CIDR that is not one THEN it says so', () => {
    expect(planSubnets('10.10.0.0/33', 2, DEFAULT_SUBNET_PREFIX_LENGTHS)).toEqual({
      problems: ['"10.10.0.0/33" is not an IPv4 CIDR'],
    });
  });
});
