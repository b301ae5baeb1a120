import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cliConfig,
  discoverMirrors,
  mirrorFor,
  needsMocks,
  offlineOverride,
  OFFLINE_VARIABLE_PLACEHOLDER,
  providerSources,
  providersUnavailable,
  requiredProviders,
  terraformPlatform,
} from '../../terraform/terraform';

describe('requiredProviders', () => {
  it('qualifies short sources and keeps the pinned version', () => {
    const stack = {
      terraform: {
        required_providers: {
          kubernetes: { source: 'kubernetes', version: '2.38.0' },
          aws: { source: 'aws', version: '5.100.0' },
          helm: { source: 'hashicorp/helm', version: '3.1.1' },
        },
      },
    };
    expect(requiredProviders(stack)).toEqual([
      { name: 'aws', source: 'registry.terraform.io/hashicorp/aws', version: '5.100.0' },
      { name: 'helm', source: 'registry.terraform.io/hashicorp/helm', version: '3.1.1' },
      { name: 'kubernetes', source: 'registry.terraform.io/hashicorp/kubernetes', version: '2.38.0' },
    ]);
  });

  it('GIVEN no required_providers THEN none', () => {
    expect(requiredProviders({})).toEqual([]);
  });
});

describe('provider mirrors', () => {
  let mirror: string;
  const aws = { name: 'aws', source: 'registry.terraform.io/hashicorp/aws', version: '5.100.0' };
  const helm = { name: 'helm', source: 'registry.terraform.io/hashicorp/helm', version: '3.1.1' };

  beforeEach(() => {
    mirror = mkdtempSync(join(tmpdir(), 'wms-mirror-'));
    mkdirSync(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', terraformPlatform()), {
      recursive: true,
    });
    mkdirSync(join(mirror, 'registry.terraform.io', 'hashicorp', 'helm'), { recursive: true });
    writeFileSync(
      join(
        mirror,
        'registry.terraform.io',
        'hashicorp',
        'helm',
        `terraform-provider-helm_3.1.1_${terraformPlatform()}.zip`,
      ),
      '',
    );
  });
  afterEach(() => rmSync(mirror, { recursive: true, force: true }));

  it('finds unpacked and packed layouts, and not a version the mirror lacks', () => {
    expect(mirrorFor([mirror], aws)).toBe(mirror);
    expect(mirrorFor([mirror], helm)).toBe(mirror);
    expect(mirrorFor([mirror], { ...aws, version: '6.0.0' })).toBeUndefined();
  });

  it('GIVEN WMS_TF_PROVIDER_MIRROR THEN it is used instead of searching', () => {
    expect(discoverMirrors({ WMS_TF_PROVIDER_MIRROR: `${mirror}:/elsewhere` })).toEqual([
      mirror,
      '/elsewhere',
    ]);
  });

  it('writes a CLI config that takes mirrored providers from the mirror and the rest from the registry', () => {
    expect(cliConfig(new Map([[aws.source, mirror]]))).toBe(
      'provider_installation {\n' +
        `  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n` +
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n',
    );
    expect(cliConfig(new Map())).toBe('provider_installation {\n  direct {}\n}\n');
  });
});

describe('offlineOverride', () => {
  it('replaces the backend and gives every AWS provider block, aliases included, placeholder credentials', () => {
    const override = offlineOverride({
      provider: { aws: [{ region: 'eu-west-1' }, { alias: 'backup', region: 'eu-central-1' }] },
    });
    expect(override.terraform).toEqual({ backend: { local: { path: 'terraform.tfstate' } } });
    const blocks = (override.provider as { aws: Record<string, unknown>[] }).aws;
    expect(blocks.map((b) => b.alias)).toEqual([undefined, 'backup']);
    expect(blocks[1]).toEqual(
      expect.objectContaining({
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        allowed_account_ids: null,
      }),
    );
  });

  it('GIVEN variables CI supplies (no default) THEN each gets the https placeholder; variables with a default keep it', () => {
    const override = offlineOverride({
      variable: { pagerduty_cloudwatch_url: { type: 'string', sensitive: true }, other: { default: 'x' } },
    });
    expect(override.variable).toEqual({
      pagerduty_cloudwatch_url: { default: OFFLINE_VARIABLE_PLACEHOLDER },
    });
    expect(OFFLINE_VARIABLE_PLACEHOLDER).toMatch(/^https:\/\//);
  });

  it('GIVEN a stack without AWS providers THEN only the backend is replaced', () => {
    expect(offlineOverride({ provider: { helm: [{}] } })).toEqual({
      terraform: { backend: { local: { path: 'terraform.tfstate' } } },
    });
  });
});

describe('what verify and mock-apply decide from a stack and from init', () => {
  const KUBERNETES = {
    name: 'kubernetes',
    source: 'registry.terraform.io/hashicorp/kubernetes',
    version: '2.38.0',
  };
  const unreachable = {
    code: 1,
    stdout: '',
    stderr:
      'Error: Failed to query available provider packages\n... dial tcp: lookup registry.terraform.io: no such host',
  };

  it('GIVEN a missing provider and an unreachable registry THEN the providers are unavailable, naming them', () => {
    expect(providersUnavailable(unreachable, [KUBERNETES])).toBe(
      'registry.terraform.io/hashicorp/kubernetes 2.38.0 not in a local mirror and the registry is unreachable',
    );
  });

  it('GIVEN init succeeded, nothing missing, or another error THEN not "unavailable" (a pass, or a real failure)', () => {
    expect(providersUnavailable({ ...unreachable, code: 0 }, [KUBERNETES])).toBeUndefined();
    expect(providersUnavailable(unreachable, [])).toBeUndefined();
    expect(
      providersUnavailable({ code: 1, stdout: '', stderr: 'Error: Invalid provider configuration' }, [
        KUBERNETES,
      ]),
    ).toBeUndefined();
  });

  it('splits providers into mirrored and missing', () => {
    const stack = {
      terraform: { required_providers: { kubernetes: { source: 'kubernetes', version: '2.38.0' } } },
    };
    expect(providerSources(stack, [])).toEqual({ mirrored: new Map(), missing: [KUBERNETES] });
  });

  it('plans against mocks a stack that reads remote state or the cluster, or talks to it; not an AWS-only stack', () => {
    expect(
      needsMocks({ terraform: { required_providers: { aws: { version: '5.100.0' } } } }),
    ).toBeUndefined();
    expect(needsMocks({ data: { terraform_remote_state: { p: {} } } })).toBe(
      "reads other stacks' state (terraform_remote_state)",
    );
    expect(needsMocks({ data: { aws_eks_cluster_auth: { c: {} } } })).toBe(
      'reads the EKS cluster (aws_eks_cluster)',
    );
    expect(needsMocks({ terraform: { required_providers: { helm: { version: '3.1.1' } } } })).toBe(
      'connects to the cluster (helm provider)',
    );
  });
});
