import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { Construct } from 'constructs';

/** Host of the token issuer of GitHub Actions, and the name of its IAM OIDC provider. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The audience GitHub Actions puts in tokens requested for AWS (`aws-actions/configure-aws-credentials`). */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** An IAM OIDC identity provider for GitHub Actions, as roles trusting it need it. */
export interface IGithubOidcProvider {
  /** ARN of the provider: `arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com`. */
  readonly providerArn: string;
}

/**
 * The account's IAM OIDC identity provider for GitHub Actions (`https://token.actions.githubusercontent.com`,
 * client id `sts.amazonaws.com`). An account holds at most one provider per issuer URL, so one exists per account,
 * shared by the roles of every environment of the account.
 *
 * No thumbprint is configured: AWS validates GitHub's issuer against its own library of trusted root CAs and ignores
 * the thumbprints of this provider, and `thumbprint_list` is optional (computed) in hashicorp/aws 5.100 (its schema).
 * @see https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
 * @see https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/iam_openid_connect_provider
 */
export class GithubOidcProvider extends Construct implements IGithubOidcProvider {
  /** The provider (escape hatch). */
  readonly provider: IamOpenidConnectProvider;
  /** ARN of the provider. */
  readonly providerArn: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.provider = new IamOpenidConnectProvider(this, 'Provider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdList: [GITHUB_OIDC_AUDIENCE],
    });
    this.providerArn = this.provider.arn;
  }
}
