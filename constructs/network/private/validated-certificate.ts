import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { Construct } from 'constructs';

/**
 * A DNS-validated ACM certificate for one name in `zoneId` (resources `Certificate`, `CertificateValidation`,
 * `CertificateValidated` under `scope`): the ARN is known once validation completed. `provider` places the
 * certificate in another region (CloudFront takes certificates from us-east-1 only); Route 53 is global.
 */
export function validatedCertificate(
  scope: Construct,
  domainName: string,
  zoneId: string,
  provider?: AwsProvider,
): string {
  const certificate = new AcmCertificate(scope, 'Certificate', {
    provider,
    domainName,
    validationMethod: 'DNS',
    keyAlgorithm: 'EC_prime256v1',
    lifecycle: { createBeforeDestroy: true },
  });
  // One validation record for the single domain name: a literal index keeps the plan readable. ACM gives the
  // certificates of one name in one account the same record (ACM user guide, DNS validation), so a second
  // certificate of the name (another region) writes the same record: allowOverwrite lets it adopt it.
  const option = certificate.domainValidationOptions.get(0);
  const record = new Route53Record(scope, 'CertificateValidation', {
    zoneId,
    name: option.resourceRecordName,
    type: option.resourceRecordType,
    records: [option.resourceRecordValue],
    ttl: 300,
    allowOverwrite: true,
  });
  return new AcmCertificateValidation(scope, 'CertificateValidated', {
    provider,
    certificateArn: certificate.arn,
    validationRecordFqdns: [record.fqdn],
  }).certificateArn;
}
