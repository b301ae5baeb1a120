import { TerraformOutput } from 'cdktf';
import {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  GithubOidcProvider,
} from '../../../constructs/delivery/github-oidc-provider';
import { awsTestStack, listOfType, resourcesOfType, synthJson } from '../../support/synth';

describe('GithubOidcProvider', () => {
  const stack = awsTestStack();
  const provider = new GithubOidcProvider(stack, 'GithubOidc');
  new TerraformOutput(stack, 'ProviderArn', { value: provider.providerArn });
  const json = synthJson(stack);
  const [resource] = listOfType(json, 'aws_iam_openid_connect_provider');

  it('GIVEN defaults THEN trusts the GitHub Actions issuer for the STS audience only', () => {
    expect(listOfType(json, 'aws_iam_openid_connect_provider')).toHaveLength(1);
    expect(resource.url).toBe('https://token.actions.githubusercontent.com');
    expect(resource.client_id_list).toEqual(['sts.amazonaws.com']);
    expect([GITHUB_OIDC_HOST, GITHUB_OIDC_AUDIENCE]).toEqual([
      'token.actions.githubusercontent.com',
      'sts.amazonaws.com',
    ]);
  });

  it('GIVEN defaults THEN configures no thumbprint (AWS validates the issuer with its trusted CAs)', () => {
    expect(resource).not.toHaveProperty('thumbprint_list');
  });

  it('exposes the provider ARN for trust policies', () => {
    const [logicalId] = Object.keys(resourcesOfType(json, 'aws_iam_openid_connect_provider'));
    const outputs = json.output as Record<string, { value: string }>;
    expect(outputs.ProviderArn.value).toBe(`\${aws_iam_openid_connect_provider.${logicalId}.arn}`);
  });
});
