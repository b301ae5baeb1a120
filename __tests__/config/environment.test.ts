import { crossEnvironmentProblems, validateEnvironment } from '../../config/environment';
import type { EnvironmentConfig } from '../../config/environment';
import { rollbackBoundSeconds } from '../../shared/progressive-delivery';
import { committedEnvironment, rawEnvironment, rawProduction } from '../support/environments';

function problemsOf(raw: unknown): string[] {
  const result = validateEnvironment(raw);
  return 'problems' in result ? result.problems : [];
}

function withField(path: string, value: unknown, base = rawEnvironment()): Record<string, unknown> {
  const copy = structuredClone(base);
  const keys = path.split('.');
  let target: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[keys[keys.length - 1]];
  else target[keys[keys.length - 1]] = value;
  return copy;
}

describe('validateEnvironment', () => {
  it('GIVEN a valid environment THEN it returns the typed config', () => {
    const result = validateEnvironment(rawEnvironment());
    expect(result).toEqual({ config: expect.objectContaining({ name: 'sandbox', region: 'eu-west-1' }) });
  });

  it('GIVEN a valid production environment THEN it passes', () => {
    expect(problemsOf(rawProduction())).toEqual([]);
  });

  describe('field shapes: each names the path, the value and what is allowed', () => {
    it.each([
      [
        'name',
        'Sandbox_1',
        'name: "Sandbox_1" is not valid (2-12 characters: lowercase letters, digits, dashes)',
      ],
      ['name', 'a-very-long-name', 'name: "a-very-long-name" is not valid'],
      ['production', 'yes', 'production: "yes" is a string, expected true or false'],
      [
        'awsAccountId',
        123456789012,
        'awsAccountId: 123456789012 is a number, expected a string (a 12-digit account id in quotes',
      ],
      ['awsAccountId', '12345', 'awsAccountId: "12345" is not valid (a 12-digit account id'],
      ['region', 'europe', 'region: "europe" is not valid (an AWS region such as eu-west-1)'],
      ['availabilityZones', 'eu-west-1a', 'availabilityZones: "eu-west-1a" is a string, expected a list'],
      [
        'availabilityZones',
        ['eu-west-1a', 'west'],
        'availabilityZones[1]: "west" is not valid (an AZ name such as eu-west-1a)',
      ],
      ['dnsDomain', 'Not A Domain', 'dnsDomain: "Not A Domain" is not valid (a lowercase DNS name)'],
      ['tags.owner', '', 'tags.owner: "" is not valid (a non-empty string'],
      ['state.bucket', 'Bad_Bucket', 'state.bucket: "Bad_Bucket" is not valid (an S3 bucket name)'],
      [
        'network.vpcCidr',
        '10.0.0.0/33',
        'network.vpcCidr: "10.0.0.0/33" is not allowed (an IPv4 CIDR from /16 to /24, e.g. 10.20.0.0/16)',
      ],
      [
        'network.vpcCidr',
        '10.0.0.0/8',
        'network.vpcCidr: "10.0.0.0/8" is not allowed (an IPv4 CIDR from /16 to /24',
      ],
      [
        'network.vpcCidr',
        '10.0.0.1/16',
        'network.vpcCidr: "10.0.0.1/16" has host bits set (allowed: the block\'s network address, 10.0.0.0/16)',
      ],
      ['network.natGateways', 'two', 'network.natGateways: "two" is not allowed (one of "per-az", "single")'],
      ['network.interfaceEndpoints', 1, 'network.interfaceEndpoints: 1 is a number, expected true or false'],
      [
        'network.flowLogRetentionDays',
        42,
        'network.flowLogRetentionDays: 42 is not allowed (one of 1, 3, 5, 7, 14, 30',
      ],
      [
        'network.subnetPrefixLengths',
        { private: 30 },
        'network.subnetPrefixLengths.private: 30 is not allowed (a whole number from 16 to 28)',
      ],
      [
        'database.instanceClass',
        'r6g.large',
        'database.instanceClass: "r6g.large" is not allowed (one of "db.t4g.medium"',
      ],
      ['database.readers', 1.5, 'database.readers: 1.5 is not allowed (a whole number from 0 to 15)'],
      [
        'database.backupRetentionDays',
        36,
        'database.backupRetentionDays: 36 is not allowed (a whole number from 1 to 35)',
      ],
      [
        'alerting.pagerSecret',
        'https://events.pagerduty.com/x',
        'alerting.pagerSecret: "https://events.pagerduty.com/x" is not valid (the name of a Secrets Manager secret',
      ],
    ])('%s = %j', (path, value, message) => {
      expect(problemsOf(withField(path, value))).toEqual([expect.stringContaining(message)]);
    });

    it('GIVEN a missing required field THEN it is named', () => {
      expect(problemsOf(withField('state.region', undefined))).toEqual(['state.region: missing (required)']);
    });

    it('GIVEN an unknown field THEN it lists the allowed ones', () => {
      expect(problemsOf(withField('network.natGateway', 'single'))).toEqual([
        'network.natGateway: unknown field (allowed here: vpcCidr, natGateways, interfaceEndpoints, organizationId, flowLogRetentionDays, wafLogRetentionDays, subnetPrefixLengths)',
      ]);
    });

    it('GIVEN a file that is not a mapping THEN it says what was expected', () => {
      expect(problemsOf(['a', 'list'])).toEqual(['(file): ["a","list"] is a list, expected an object']);
    });

    it('GIVEN several problems THEN every one is reported', () => {
      const raw = withField(
        'region',
        'nowhere',
        withField('network.natGateways', 'none', withField('extra', 1)),
      );
      expect(problemsOf(raw)).toHaveLength(3);
    });
  });

  describe('rules between fields reported together with shape errors', () => {
    it('GIVEN a typo elsewhere AND 3 readers with 2 AZs THEN both are reported (the typo used to hide the rule)', () => {
      const raw = withField('database.readers', 3);
      (raw.tags as Record<string, unknown>).ownr = 'typo';
      expect(problemsOf(raw)).toEqual([
        expect.stringMatching(/^tags\.ownr: unknown field/),
        "database.readers: 3 is not allowed (at most 1: each reader needs an AZ other than the writer's and the other readers')",
      ]);
    });

    it('GIVEN an invalid field that a rule reads THEN that rule is skipped, not run on bad data', () => {
      const raw = withField('availabilityZones', 'eu-west-1a');
      expect(problemsOf(withField('database.readers', 3, raw))).toEqual([
        'availabilityZones: "eu-west-1a" is a string, expected a list',
      ]);
    });

    it('GIVEN production invariants and an unrelated shape error THEN the invariants are still reported', () => {
      const raw = withField('database.deletionProtection', false, rawProduction());
      expect(problemsOf(withField('dnsDomain', 'NOT A DOMAIN', raw))).toEqual([
        expect.stringMatching(/^dnsDomain: "NOT A DOMAIN" is not valid/),
        'database.deletionProtection: false is not allowed in production (true)',
      ]);
    });

    it('GIVEN a file that is a list THEN only the shape error is reported', () => {
      expect(problemsOf([1, 2])).toEqual(['(file): [1,2] is a list, expected an object']);
    });
  });

  describe('rules between fields', () => {
    it('GIVEN one AZ THEN at least 2 are required', () => {
      expect(problemsOf(withField('availabilityZones', ['eu-west-1a']))).toEqual([
        'availabilityZones: ["eu-west-1a"] has 1 AZs (allowed: 2 to 4)',
      ]);
    });

    it('GIVEN a production environment with 2 AZs THEN 3 are required', () => {
      expect(
        problemsOf(withField('availabilityZones', ['eu-west-1a', 'eu-west-1b'], rawProduction())),
      ).toEqual(
        expect.arrayContaining([
          'availabilityZones: ["eu-west-1a","eu-west-1b"] has 2 AZs (allowed: 3 to 4 in production)',
        ]),
      );
    });

    it('GIVEN five AZs THEN at most 4 fit the subnet layout', () => {
      const azs = ['a', 'b', 'c', 'd', 'e'].map((s) => `eu-west-1${s}`);
      expect(problemsOf(withField('availabilityZones', azs))).toEqual(
        expect.arrayContaining([expect.stringContaining('has 5 AZs (allowed: 2 to 4)')]),
      );
    });

    it('GIVEN a duplicate AZ THEN it is named', () => {
      expect(problemsOf(withField('availabilityZones', ['eu-west-1a', 'eu-west-1a']))).toEqual([
        'availabilityZones[1]: "eu-west-1a" is listed twice',
      ]);
    });

    it('GIVEN an AZ of another region THEN it is named', () => {
      expect(problemsOf(withField('availabilityZones', ['eu-west-1a', 'us-east-1b']))).toEqual([
        'availabilityZones[1]: "us-east-1b" is not in region "eu-west-1"',
      ]);
    });

    it('GIVEN subnets that do not fit the VPC THEN it says so', () => {
      const raw = withField(
        'network.subnetPrefixLengths',
        { private: 20 },
        withField('network.vpcCidr', '10.90.0.0/20'),
      );
      expect(problemsOf(raw)).toEqual([
        'network.subnetPrefixLengths: private subnets of /20 do not fit 4 AZ slots in a /20 VPC (allowed: /22 to /28)',
      ]);
    });

    it('GIVEN serverless capacity without db.serverless THEN it says they go together', () => {
      expect(problemsOf(withField('database.instanceClass', 'db.r6g.large'))).toEqual([
        'database.serverless: {"minCapacity":0.5,"maxCapacity":2} is not allowed (set exactly when database.instanceClass is "db.serverless"; it is "db.r6g.large")',
      ]);
      expect(problemsOf(withField('database.serverless', undefined))).toEqual([
        'database.serverless: undefined is not allowed (set exactly when database.instanceClass is "db.serverless"; it is "db.serverless")',
      ]);
    });

    it('GIVEN a serverless minimum above the maximum THEN it says so', () => {
      expect(problemsOf(withField('database.serverless', { minCapacity: 8, maxCapacity: 2 }))).toEqual([
        'database.serverless.minCapacity: 8 is above maxCapacity',
      ]);
    });

    it('GIVEN flow logs kept less than the guardrails require THEN it says how long', () => {
      expect(problemsOf(withField('network.flowLogRetentionDays', 14))).toEqual([
        "network.flowLogRetentionDays: 14 is not allowed (at least 30: the guardrails' CKV_AWS_338)",
      ]);
      expect(problemsOf(withField('network.flowLogRetentionDays', 180, rawProduction()))).toEqual([
        "network.flowLogRetentionDays: 180 is not allowed (at least 365 in production: the guardrails' CKV_AWS_338)",
      ]);
    });

    it('GIVEN node group sizes out of order THEN min <= desired <= max is required', () => {
      expect(
        problemsOf(
          withField('eks.nodeGroups.system', {
            instanceTypes: ['m6i.large'],
            minSize: 2,
            desiredSize: 1,
            maxSize: 3,
          }),
        ),
      ).toEqual([
        'eks.nodeGroups.system: min 2, desired 1, max 3 is not allowed (minSize <= desiredSize <= maxSize)',
      ]);
    });

    it('GIVEN a Spot group with one instance type THEN at least two are required', () => {
      expect(
        problemsOf(
          withField('eks.nodeGroups.spot', {
            instanceTypes: ['m6i.large'],
            minSize: 0,
            desiredSize: 0,
            maxSize: 1,
          }),
        ),
      ).toEqual(['eks.nodeGroups.spot.instanceTypes: has 1 items (allowed: 2 to 20)']);
    });

    it('GIVEN an access role of another account THEN it is refused', () => {
      expect(
        problemsOf(withField('eks.accessRoles.deployRoleArn', 'arn:aws:iam::999999999999:role/deploy')),
      ).toEqual([
        'eks.accessRoles.deployRoleArn: "arn:aws:iam::999999999999:role/deploy" is not allowed (a role of account 444444444444)',
      ]);
    });

    it('GIVEN a runner connection of another account THEN it is refused; a CodeStar one of this account passes', () => {
      const other =
        'arn:aws:codeconnections:eu-west-1:999999999999:connection/0b6f7a3e-5d1c-4e2a-9f8b-1a2b3c4d5e04';
      expect(problemsOf(withField('ci.runner.connectionArn', other))).toEqual([
        `ci.runner.connectionArn: "${other}" is not allowed (a connection of account 444444444444)`,
      ]);
      const older =
        'arn:aws:codestar-connections:us-east-1:444444444444:connection/0b6f7a3e-5d1c-4e2a-9f8b-1a2b3c4d5e04';
      expect(problemsOf(withField('ci.runner.connectionArn', older))).toEqual([]);
    });

    it('GIVEN a token instead of a connection ARN, or an unknown compute type THEN both are refused', () => {
      const raw = withField('ci.runner', {
        connectionArn: 'ghp_0123456789',
        computeType: 'BUILD_GENERAL1_2XLARGE',
      });
      expect(problemsOf(raw)).toEqual([
        'ci.runner.connectionArn: "ghp_0123456789" is not valid (a CodeConnections connection ARN such as ' +
          'arn:aws:codeconnections:eu-west-1:123456789012:connection/<uuid>)',
        'ci.runner.computeType: "BUILD_GENERAL1_2XLARGE" is not allowed (one of "BUILD_GENERAL1_SMALL", ' +
          '"BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE")',
      ]);
    });

    it('GIVEN a public endpoint open to the internet THEN production refuses it and other environments accept it', () => {
      expect(problemsOf(withField('eks.endpointPublicAccessCidrs', ['0.0.0.0/0'], rawProduction()))).toEqual([
        'eks.endpointPublicAccessCidrs[0]: "0.0.0.0/0" is not allowed in production (a CIDR narrower than the whole internet)',
      ]);
      expect(
        problemsOf(withField('eks.endpointPublicAccessCidrs', ['203.0.113.0/24'], rawProduction())),
      ).toEqual([]);
      expect(problemsOf(withField('eks.endpointPublicAccessCidrs', ['10.0.0.0/33']))).toEqual([
        'eks.endpointPublicAccessCidrs[0]: "10.0.0.0/33" is not allowed (an IPv4 CIDR such as 203.0.113.0/24)',
      ]);
    });

    it('GIVEN warehouses THEN their addresses must be CIDRs that overlap no other warehouse, names unique', () => {
      const warehouse = (name: string, cidrs: string[]) => ({ name, cidrs, rateLimitPer5Minutes: 5000 });
      expect(
        problemsOf(
          withField('app.warehouses', [
            warehouse('a', ['198.51.100.7/32']),
            warehouse('b', ['203.0.113.0/29']),
          ]),
        ),
      ).toEqual([]);
      expect(
        problemsOf(
          withField('app.warehouses', [
            warehouse('a', ['198.51.100.0/24']),
            warehouse('a', ['198.51.100.7/32', '10.0.0.1/33']),
          ]),
        ),
      ).toEqual([
        'app.warehouses[1].name: "a" is not allowed (used twice; names are unique)',
        'app.warehouses[1].cidrs[0]: "198.51.100.7/32" is not allowed (it overlaps app.warehouses[0].cidrs[0]; a request counts once)',
        'app.warehouses[1].cidrs[1]: "10.0.0.1/33" is not allowed (an IPv4 CIDR from /8 to /32 such as 198.51.100.7/32)',
      ]);
    });

    it('GIVEN restore-check tables without restore tests THEN they are refused', () => {
      expect(
        problemsOf(
          withField('database.backup', {
            retentionDays: 7,
            restoreTesting: false,
            restoreCheckTables: [{ table: 'wms.orders', minRows: 1 }],
          }),
        ),
      ).toEqual([
        'database.backup.restoreCheckTables: 1 tables are not allowed without restore tests (set database.backup.restoreTesting: true, or remove the tables)',
      ]);
      expect(problemsOf(withField('database.credentialRotationDays', 91))).toEqual([
        expect.stringMatching(
          /^database\.credentialRotationDays: 91 is not allowed \(a whole number from 1 to 90\)/,
        ),
      ]);
    });

    it('GIVEN autoscaling bounds out of order THEN it names the component', () => {
      expect(problemsOf(withField('app.api', { minReplicas: 5, maxReplicas: 2 }))).toEqual([
        'app.api: minReplicas 5 is above maxReplicas 2',
      ]);
    });

    it('GIVEN a backup copy to the same region THEN it is refused', () => {
      expect(problemsOf(withField('database.backup.copyRegion', 'eu-west-1'))).toEqual([
        'database.backup.copyRegion: "eu-west-1" is not allowed (a region other than the environment\'s)',
      ]);
    });

    it('GIVEN as many readers as AZs THEN each reader cannot have its own AZ', () => {
      expect(problemsOf(withField('database.readers', 2))).toEqual([
        expect.stringContaining('database.readers: 2 is not allowed (at most 1: each reader needs an AZ'),
      ]);
    });
  });

  describe('schedule (working hours, issue #19)', () => {
    const hours = { timeZone: 'Europe/Berlin', workdays: 'MON-FRI', start: '07:00', stop: '19:00' };

    it('GIVEN no schedule THEN the environment runs around the clock (default)', () => {
      const result = validateEnvironment(rawEnvironment());
      expect('config' in result && result.config.schedule).toBeUndefined();
    });

    it('GIVEN valid working hours THEN they are kept as written', () => {
      const result = validateEnvironment(withField('schedule', hours));
      expect('config' in result && result.config.schedule).toEqual(hours);
      expect(
        problemsOf(withField('schedule', { ...hours, workdays: 'MON,WED-FRI', timeZone: 'UTC' })),
      ).toEqual([]);
    });

    it.each([
      [
        { timeZone: 'Europe/Atlantis' },
        'schedule.timeZone: "Europe/Atlantis" is not allowed (an IANA time zone such as Europe/Berlin)',
      ],
      [
        { workdays: 'MONDAY' },
        'schedule.workdays: "MONDAY" is not allowed (days MON..SUN as a range or list, e.g. MON-FRI)',
      ],
      [
        { start: '00:15' },
        'schedule.start: "00:15" is not allowed (HH:MM, at least 30 minutes after midnight: the start calls are ' +
          'made 30 minutes earlier, on the same workday)',
      ],
      [{ stop: '06:00' }, 'schedule.stop: "06:00" is not allowed (HH:MM, after start 07:00)'],
      [{ start: '7:00' }, 'schedule.start: "7:00" is not valid (a time HH:MM such as 07:00)'],
    ])('GIVEN %j THEN it is refused naming field, value and what is allowed', (change, message) => {
      expect(problemsOf(withField('schedule', { ...hours, ...change }))).toEqual([message]);
    });

    it('GIVEN the committed dev environment THEN it stops outside 07:00-19:00 Berlin time on workdays', () => {
      expect(committedEnvironment('dev').schedule).toEqual(hours);
      expect(committedEnvironment('staging').schedule).toBeUndefined();
      expect(committedEnvironment('prod').schedule).toBeUndefined();
    });
  });

  describe('production invariants cannot be switched off', () => {
    it.each([
      [
        'network.natGateways',
        'single',
        'network.natGateways: "single" is not allowed in production ("per-az")',
      ],
      [
        'database.deletionProtection',
        false,
        'database.deletionProtection: false is not allowed in production (true)',
      ],
      [
        'database.readers',
        1,
        'database.readers: 1 is not allowed in production (at least 2, for a multi-AZ cluster)',
      ],
      [
        'database.backupRetentionDays',
        7,
        'database.backupRetentionDays: 7 is not allowed in production (14 to 35)',
      ],
      [
        'app.loadBalancerDeletionProtection',
        false,
        'app.loadBalancerDeletionProtection: false is not allowed in production (true)',
      ],
      ['eks.controllerReplicas', 1, 'eks.controllerReplicas: 1 is not allowed in production (at least 2)'],
      [
        'eks.nodeAmiReleaseVersion',
        undefined,
        'eks.nodeAmiReleaseVersion: missing (required in production: a pinned AMI release (nodes identical to those tested in staging))',
      ],
      ['monitoring.replicas', 1, 'monitoring.replicas: 1 is not allowed in production (at least 2)'],
      ['monitoring.size', 'small', 'monitoring.size: "small" is not allowed in production ("large")'],
      [
        'cdn',
        { enabled: false },
        'cdn.enabled: false is not allowed in production (true: CloudFront with its web ACL in front of the load balancer)',
      ],
      [
        'cdn',
        undefined,
        'cdn.enabled: missing (required in production: true: CloudFront with its web ACL in front of the load balancer)',
      ],
      [
        'network.wafLogRetentionDays',
        90,
        "network.wafLogRetentionDays: 90 is not allowed (at least 365 in production: the guardrails' CKV_AWS_338)",
      ],
      ['alerting.pageCritical', false, 'alerting.pageCritical: false is not allowed in production (true)'],
      [
        'database.backup',
        { retentionDays: 35, copyRegion: 'eu-central-1', restoreTesting: true, vaultLock: 'governance' },
        'database.backup.vaultLock: "governance" is not allowed in production ("compliance")',
      ],
      [
        'baseline',
        { trailLockMode: 'GOVERNANCE' },
        'baseline.trailLockMode: "GOVERNANCE" is not allowed in production ("COMPLIANCE")',
      ],
      [
        'alerting.heartbeatSecret',
        undefined,
        "alerting.heartbeatSecret: missing (required in production: a dead-man's-switch heartbeat)",
      ],
      [
        'alerting.alarmTopic',
        { emails: ['team@example.com'] },
        'alerting.alarmTopic.pagerDutyUrlParameter: missing (required in production: a PagerDuty subscription)',
      ],
      [
        'monitoring.grafana',
        undefined,
        'monitoring.grafana.sso: missing (required in production: single sign-on (issuerUrl, clientId, ' +
          'clientSecretRef, allowedGroups): no shared admin login on the internet)',
      ],
      [
        'schedule',
        { timeZone: 'Europe/Berlin', workdays: 'MON-FRI', start: '07:00', stop: '19:00' },
        'schedule: {"timeZone":"Europe/Berlin","workdays":"MON-FRI","start":"07:00","stop":"19:00"} is not ' +
          'allowed in production (absent)',
      ],
    ])('%s = %j', (path, value, message) => {
      expect(problemsOf(withField(path, value, rawProduction()))).toEqual([message]);
    });

    it.each([
      [
        'issuerUrl',
        'http://sso.example.com/realms/wms',
        /monitoring\.grafana\.sso\.issuerUrl: "http:.*an https URL/,
      ],
      ['issuerUrl', 'https://sso.example.com/realms/wms/', /issuerUrl: .*without query or trailing slash/],
      ['clientSecretRef', 'https://vault/secret', /clientSecretRef: .*never the value itself/],
      ['allowedGroups', [], /allowedGroups: .*/],
      [
        'allowedGroups',
        ['wms sre'],
        /allowedGroups\[0\]: "wms sre" is not valid \(a group name without spaces or commas\)/,
      ],
      ['tokenUrl', 'https://sso.example.com/token?x=1', /tokenUrl: .*an https URL/],
    ])(
      'GIVEN Grafana single sign-on with %s = %j THEN it is refused, naming field, value and what is allowed',
      (field, value, message) => {
        const sso = (rawProduction().monitoring as { grafana: { sso: Record<string, unknown> } }).grafana.sso;
        const problems = problemsOf(
          withField(`monitoring.grafana.sso`, { ...sso, [field]: value }, rawProduction()),
        );
        expect(problems).toEqual([expect.stringMatching(message)]);
      },
    );

    it('GIVEN a node AMI release that is not a release version THEN it is refused, with an example', () => {
      expect(problemsOf(withField('eks.nodeAmiReleaseVersion', 'al2023@v20260714')).join('\n')).toMatch(
        /eks\.nodeAmiReleaseVersion: "al2023@v20260714" .*an EKS AMI release version such as 1\.35\.6-20260714/,
      );
    });

    it("GIVEN a node AMI release of another Kubernetes version THEN it is refused, naming the cluster's", () => {
      expect(problemsOf(withField('eks.nodeAmiReleaseVersion', '1.34.9-20260714'))).toEqual([
        'eks.nodeAmiReleaseVersion: "1.34.9-20260714" is not allowed (a release for Kubernetes 1.35, ' +
          "the cluster's eks.kubernetesVersion, e.g. 1.35.<patch>-<YYYYMMDD>)",
      ]);
      expect(problemsOf(withField('eks.nodeAmiReleaseVersion', '1.35.7-20260801'))).toEqual([]);
    });

    it('GIVEN an alarm topic without any subscriber THEN it is refused, naming what is allowed', () => {
      expect(problemsOf(withField('alerting.alarmTopic', {}, rawEnvironment()))).toEqual([
        'alerting.alarmTopic: {} is not allowed (at least one of pagerDutyUrlParameter, slack, emails)',
      ]);
    });

    it('GIVEN a PagerDuty URL where the parameter name goes THEN it is refused', () => {
      const raw = withField(
        'alerting.alarmTopic.pagerDutyUrlParameter',
        'https://events.pagerduty.com/x',
        rawEnvironment(),
      );
      expect(problemsOf(raw).join('\n')).toMatch(
        /alerting.alarmTopic.pagerDutyUrlParameter: .*an SSM parameter name/,
      );
    });

    it('GIVEN the same values outside production THEN they are allowed', () => {
      const raw = withField('database.deletionProtection', false, withField('network.natGateways', 'single'));
      expect(problemsOf(raw)).toEqual([]);
      const cheap = [
        ['app.loadBalancerDeletionProtection', false],
        ['eks.controllerReplicas', 1],
        ['monitoring.replicas', 1],
        ['monitoring.size', 'small'],
        ['network.wafLogRetentionDays', 30],
        ['alerting.pageCritical', false],
      ] as const;
      expect(
        problemsOf(cheap.reduce((base, [path, value]) => withField(path, value, base), rawEnvironment())),
      ).toEqual([]);
    });

    it('GIVEN the environment-specific fields unset THEN the safe defaults apply (production passes)', () => {
      // Optional fields; the constructs' defaults are the production values (365 days, protected, 2 replicas, large).
      expect(problemsOf(rawProduction())).toEqual([]);
      expect(rawProduction()).not.toHaveProperty('monitoring.replicas');
    });
  });
});

describe('cdn (issue #19 part 3)', () => {
  it('GIVEN no cdn section THEN there is no CDN outside production (default)', () => {
    const result = validateEnvironment(rawEnvironment());
    expect(problemsOf(rawEnvironment())).toEqual([]);
    expect('config' in result && result.config.cdn).toBeUndefined();
  });

  it('GIVEN a full cdn section THEN it is kept as written', () => {
    const cdn = {
      enabled: true,
      servesDomain: true,
      cloudfrontOnly: true,
      priceClass: 'PriceClass_200',
      staticMinTtlSeconds: 0,
      staticDefaultTtlSeconds: 600,
      staticMaxTtlSeconds: 3600,
      uncachedPathPatterns: ['/api/*', '/auth/*'],
    };
    const result = validateEnvironment(rawEnvironment({ cdn }));
    expect('config' in result && result.config.cdn).toEqual(cdn);
  });

  it.each([
    [{ enabled: 'yes' }, 'cdn.enabled: "yes" is a string, expected true or false'],
    [
      { enabled: true, priceClass: 'PriceClass_50' },
      'cdn.priceClass: "PriceClass_50" is not allowed (one of "PriceClass_100", "PriceClass_200", "PriceClass_All")',
    ],
    [
      { enabled: true, staticMaxTtlSeconds: 31536001 },
      'cdn.staticMaxTtlSeconds: 31536001 is not allowed (a whole number from 0 to 31536000)',
    ],
    [
      { enabled: true, uncachedPathPatterns: ['api/*'] },
      'cdn.uncachedPathPatterns[0]: "api/*" is not valid (a CloudFront path pattern starting with / such as /api/*)',
    ],
    [
      { enabled: true, staticMinTtlSeconds: 90000 },
      'cdn.staticDefaultTtlSeconds: 86400 is not allowed (at least cdn.staticMinTtlSeconds, 90000)',
    ],
    [
      { enabled: true, staticDefaultTtlSeconds: 600, staticMaxTtlSeconds: 60 },
      'cdn.staticMaxTtlSeconds: 60 is not allowed (at least cdn.staticDefaultTtlSeconds, 600)',
    ],
    [
      { enabled: true, uncachedPathPatterns: ['/api/*', '/api/*'] },
      'cdn.uncachedPathPatterns[1]: "/api/*" is not allowed (each pattern once)',
    ],
    [
      { enabled: false, servesDomain: true },
      'cdn.servesDomain: true is not allowed (only with cdn.enabled: true)',
    ],
    [
      { enabled: true, cloudfrontOnly: true },
      'cdn.cloudfrontOnly: true is not allowed (only with cdn.servesDomain: true: until the distribution serves the domain, clients reach the load balancer directly)',
    ],
  ])('GIVEN cdn %j THEN it names the field, the value and what is allowed', (cdn, message) => {
    expect(problemsOf(rawEnvironment({ cdn }))).toEqual([message]);
  });

  it('GIVEN the committed environments THEN staging and prod have the CDN, prepared but not serving (runbook step 1), dev none', () => {
    expect(committedEnvironment('prod').cdn).toMatchObject({
      enabled: true,
      servesDomain: false,
      cloudfrontOnly: false,
    });
    expect(committedEnvironment('staging').cdn).toMatchObject({
      enabled: true,
      servesDomain: false,
      cloudfrontOnly: false,
    });
    expect(committedEnvironment('dev').cdn).toEqual({ enabled: false });
  });
});

describe('crossEnvironmentProblems: one baseline per account', () => {
  it('GIVEN two environments of one account with different baselines THEN the second is refused, naming both', () => {
    const base = {
      awsAccountId: '444444444444',
      state: { bucket: 'wms-tfstate-444444444444-eu-west-1', region: 'eu-west-1' },
      app: {
        images: {
          api: '333333333333.dkr.ecr.eu-west-1.amazonaws.com/wms-api',
          web: '333333333333.dkr.ecr.eu-west-1.amazonaws.com/wms-web',
        },
      },
    };
    const problems = crossEnvironmentProblems([
      {
        source: 'a.yaml',
        config: { ...base, name: 'a', network: { vpcCidr: '10.10.0.0/16' } } as EnvironmentConfig,
      },
      {
        source: 'b.yaml',
        config: {
          ...base,
          name: 'b',
          network: { vpcCidr: '10.20.0.0/16' },
          baseline: { findingsMinSeverity: 'MEDIUM' },
        } as EnvironmentConfig,
      },
    ]);
    expect(problems).toEqual([
      'b.yaml: baseline: {"findingsMinSeverity":"MEDIUM"} is not allowed (account 444444444444 has one baseline: {} as in a.yaml)',
    ]);
  });
});

describe('crossEnvironmentProblems', () => {
  const STATE = { bucket: 'wms-tfstate-444444444444-eu-west-1', region: 'eu-west-1' };
  const config = (name: string, vpcCidr: string, more: Partial<EnvironmentConfig> = {}) =>
    ({
      name,
      awsAccountId: `${name}-account`,
      state: STATE,
      network: { vpcCidr },
      app: {
        images: {
          api: '333333333333.dkr.ecr.eu-west-1.amazonaws.com/wms-api',
          web: '333333333333.dkr.ecr.eu-west-1.amazonaws.com/wms-web',
        },
      },
      ...more,
    }) as EnvironmentConfig;

  it('GIVEN an environment pulling from another registry THEN names the field, the value and the one registry', () => {
    const other = {
      images: { api: '444444444444.dkr.ecr.eu-west-1.amazonaws.com/wms-api', web: 'ghcr.io/acme/wms-web' },
    };
    const problems = crossEnvironmentProblems([
      { source: 'a.yaml', config: config('a', '10.10.0.0/16') },
      { source: 'b.yaml', config: config('b', '10.20.0.0/16', { app: other } as Partial<EnvironmentConfig>) },
    ]);
    expect(problems).toEqual([
      'b.yaml: app.images.api: "444444444444.dkr.ecr.eu-west-1.amazonaws.com/wms-api" is not allowed (one registry for every environment: 333333333333.dkr.ecr.eu-west-1.amazonaws.com as in a.yaml)',
      'b.yaml: app.images.web: "ghcr.io/acme/wms-web" is not allowed (one registry for every environment: 333333333333.dkr.ecr.eu-west-1.amazonaws.com as in a.yaml)',
    ]);
  });

  it('GIVEN environments of one account disagreeing on the state THEN reports every disagreement', () => {
    const account = { awsAccountId: '444444444444' };
    const problems = crossEnvironmentProblems([
      { source: 'a.yaml', config: config('a', '10.10.0.0/16', account) },
      { source: 'b.yaml', config: config('b', '10.20.0.0/16', account) },
      {
        source: 'c.yaml',
        config: config('c', '10.30.0.0/16', {
          ...account,
          state: { bucket: 'other-bucket', region: 'eu-central-1', bootstrapBackend: 's3' },
        }),
      },
    ]);
    expect(problems).toEqual([
      'c.yaml: state.bucket: "other-bucket" is not allowed (account 444444444444 has one state bucket: "wms-tfstate-444444444444-eu-west-1" as in a.yaml)',
      'c.yaml: state.region: "eu-central-1" is not allowed (account 444444444444 has one state bucket: "eu-west-1" as in a.yaml)',
      'c.yaml: state.bootstrapBackend: "s3" is not allowed (account 444444444444 has one state bucket: "local" as in a.yaml)',
    ]);
  });

  it('GIVEN disjoint CIDRs and unique names THEN there is no problem', () => {
    const problems = crossEnvironmentProblems([
      { source: 'a.yaml', config: config('a', '10.10.0.0/16') },
      { source: 'b.yaml', config: config('b', '10.20.0.0/16') },
    ]);
    expect(problems).toEqual([]);
  });

  it('GIVEN overlapping VPC CIDRs THEN both environments are named', () => {
    const problems = crossEnvironmentProblems([
      { source: 'a.yaml', config: config('a', '10.10.0.0/16') },
      { source: 'b.yaml', config: config('b', '10.10.128.0/17') },
    ]);
    expect(problems).toEqual([
      'b.yaml: network.vpcCidr: "10.10.128.0/17" overlaps a.yaml (10.10.0.0/16); environments need disjoint CIDRs',
    ]);
  });

  it('GIVEN a reused name THEN it is named', () => {
    const problems = crossEnvironmentProblems([
      { source: 'a.yaml', config: config('a', '10.10.0.0/16') },
      { source: 'x.json', config: config('a', '10.20.0.0/16') },
    ]);
    expect(problems).toEqual(['x.json: name: "a" is already used by a.yaml']);
  });
});

describe('app.delivery (issue #15): the rollback bound and the 5-minute release', () => {
  it('GIVEN the committed sample (30 s x (1 + 1) + 45 s = 105 s) THEN it passes', () => {
    expect(problemsOf(rawEnvironment())).toEqual([]);
  });

  it('GIVEN exactly 120 s (30 s x (2 + 1) + 30 s) THEN it passes: the bound is inclusive', () => {
    const raw = withField('app.delivery.failureLimit', 2);
    expect(problemsOf(withField('app.delivery.trafficShiftSeconds', 30, raw))).toEqual([]);
  });

  it('GIVEN 121 s THEN it names the fields, the arithmetic and the limit', () => {
    const raw = withField('app.delivery.failureLimit', 2);
    expect(problemsOf(withField('app.delivery.trafficShiftSeconds', 31, raw))).toEqual([
      'app.delivery: rollback bound 30 s x (2 + 1) + 31 s = 121 s is not allowed (at most 120 s: shorten ' +
        'analysisIntervalSeconds or trafficShiftSeconds, or lower failureLimit)',
    ]);
  });

  it('GIVEN weights that do not increase THEN it names the step', () => {
    const steps = [
      { weight: 50, pauseSeconds: 30 },
      { weight: 25, pauseSeconds: 30 },
    ];
    expect(problemsOf(withField('app.delivery.canarySteps', steps))).toEqual([
      "app.delivery.canarySteps[1].weight: 25 is not allowed (more than the previous step's 50: weights increase)",
    ]);
  });

  it('GIVEN pauses over 240 s in total THEN it refuses: a release takes under 5 minutes', () => {
    const steps = [
      { weight: 10, pauseSeconds: 120 },
      { weight: 50, pauseSeconds: 121 },
    ];
    expect(problemsOf(withField('app.delivery.canarySteps', steps))).toEqual([
      'app.delivery.canarySteps: pauses of 241 s in total are not allowed (at most 240 s, so that a release ' +
        'takes under 5 minutes)',
    ]);
  });

  it('GIVEN an unknown strategy THEN the field shape names it', () => {
    expect(problemsOf(withField('app.delivery.strategy', 'shadow'))).toEqual([
      expect.stringContaining('app.delivery.strategy: "shadow"'),
    ]);
  });
});

describe('the committed environments', () => {
  it.each(['dev', 'staging', 'prod'])('%s: rollback bound at most 120 s', (name) => {
    const bound = rollbackBoundSeconds(committedEnvironment(name).app.delivery);
    expect(bound).toBe(105);
  });
});
