import { CloudfrontCachePolicy } from '@cdktf/provider-aws/lib/cloudfront-cache-policy';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import type { CloudfrontDistributionOrderedCacheBehavior } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontResponseHeadersPolicy } from '@cdktf/provider-aws/lib/cloudfront-response-headers-policy';
import { CloudwatchLogDelivery } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery';
import { CloudwatchLogDeliveryDestination } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery-destination';
import { CloudwatchLogDeliverySource } from '@cdktf/provider-aws/lib/cloudwatch-log-delivery-source';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Construct } from 'constructs';
import type { PriceClass } from '../../shared/cdn';
import {
  DEFAULT_STATIC_TTL_SECONDS,
  DEFAULT_UNCACHED_PATH_PATTERNS,
  MAX_TTL_SECONDS,
} from '../../shared/cdn';
import type { LogRetentionDays } from '../../shared/log-retention';
import { propError } from '../shared/errors';
import { physicalName } from '../shared/naming';
import { validatedCertificate } from './private/validated-certificate';
import type { WarehouseRateLimit } from './private/web-acl';
import { loggedWebAcl, MANAGED_RULE_GROUPS, validateRateLimits } from './private/web-acl';

/**
 * AWS managed CloudFront policies, by their fixed IDs: an offline plan cannot read the data sources that look
 * them up by name.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
 */
export const MANAGED_POLICY_IDS = {
  /** Cache policy `Managed-CachingDisabled`: TTLs 0, nothing in the cache key. */
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  /** Origin request policy `Managed-AllViewerExceptHostHeader`: every viewer header, cookie and query string but Host. */
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
} as const;

/** Properties of a {@link ContentDelivery}. */
export interface ContentDeliveryProps {
  /** Prefix of physical names, e.g. `wms-prod`. */
  readonly namePrefix: string;
  /** AWS account id. */
  readonly accountId: string;
  /**
   * The AWS provider of us-east-1: CloudFront takes its viewer certificate from there, a CLOUDFRONT web ACL (and
   * its IP sets and log group) lives there, and CloudFront's log delivery is configured there.
   */
  readonly usEast1: AwsProvider;
  /** The name viewers use, e.g. `wms.example.com`: the distribution's alias and certificate. */
  readonly domainName: string;
  /**
   * The load balancer's host name CloudFront connects to over HTTPS, e.g. `origin.wms.example.com`: the
   * Ingress answers it, external-dns publishes it, the load balancer's certificate covers it.
   */
  readonly originDomainName: string;
  /** Route 53 zone of `domainName`: the certificate's validation record and the alias records. */
  readonly zoneId: string;
  /**
   * `domainName` resolves to the distribution: Route 53 alias records A and AAAA, which take the name over from
   * external-dns (`allowOverwrite`; the order of the move is in docs/runbooks/cdn-dns-move.md).
   * @default false - the distribution is ready under its own name, `domainName` still points at the load balancer
   */
  readonly servesDomain?: boolean;
  /**
   * Edge locations serving the viewers.
   * @default 'PriceClass_100' - North America, Europe and Israel
   */
  readonly priceClass?: PriceClass;
  /**
   * Shortest time the static front end (everything but `uncachedPathPatterns`) stays cached, whatever the
   * origin's `Cache-Control` says; 0 to 31,536,000, min <= default <= max.
   * @default 0
   */
  readonly staticMinTtlSeconds?: number;
  /**
   * Time the static front end stays cached when the origin sends no `Cache-Control` or `Expires`.
   * @default 86400
   */
  readonly staticDefaultTtlSeconds?: number;
  /**
   * Longest time the static front end stays cached, whatever the origin's `Cache-Control` says.
   * @default 31536000
   */
  readonly staticMaxTtlSeconds?: number;
  /**
   * Path patterns that are never cached, reach the origin with every method, header, cookie and query string
   * (but Host), e.g. the API: 1-10 patterns starting with `/`.
   * @default ['/api', '/api/*']
   */
  readonly uncachedPathPatterns?: readonly string[];
  /** Requests one client IP may make in 5 minutes before the CLOUDFRONT web ACL blocks it (>= 100). */
  readonly rateLimitPer5Minutes: number;
  /**
   * Warehouse networks with their own rate limits.
   * @default - none: every client is limited per IP
   */
  readonly warehouses?: readonly WarehouseRateLimit[];
  /**
   * Retention of the web ACL's request log (in us-east-1).
   * @default 365
   */
  readonly logRetentionDays?: LogRetentionDays;
  /**
   * Where the access logs go (standard logging v2, JSON): an S3 bucket ARN and key prefix; the bucket policy must
   * admit `delivery.logs.amazonaws.com` (PublicEndpoint `admitCdnLogs`).
   */
  readonly accessLogs: { readonly bucketArn: string; readonly prefix: string };
}

/** Resolved cache times of the static front end. */
interface StaticTtls {
  readonly minSeconds: number;
  readonly defaultSeconds: number;
  readonly maxSeconds: number;
}

// CloudFront path patterns: up to 255 characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & and the wildcards * ?.
const PATH_PATTERN = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,254}$/;
const ORIGIN_ID = 'load-balancer';
const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];

/**
 * CloudFront in front of the environment's load balancer: the static front end cached at the edge (a cache policy
 * from the props, compressed), the uncached paths (the API) passed through, HTTPS only (TLS 1.2 to viewers and to
 * the origin), security headers on every response, a CLOUDFRONT web ACL with the client rate rules and AWS managed
 * rule groups, access logs to S3 (standard logging v2), and, once it serves the domain, the alias records.
 */
export class ContentDelivery extends Construct {
  /** The distribution (escape hatch). */
  readonly distribution: CloudfrontDistribution;
  /** ARN of the CLOUDFRONT web ACL. */
  readonly webAclArn: string;
  /** ARN of the validated viewer certificate (us-east-1). */
  readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: ContentDeliveryProps) {
    super(scope, id);
    const ttls: StaticTtls = {
      minSeconds: props.staticMinTtlSeconds ?? DEFAULT_STATIC_TTL_SECONDS.min,
      defaultSeconds: props.staticDefaultTtlSeconds ?? DEFAULT_STATIC_TTL_SECONDS.default,
      maxSeconds: props.staticMaxTtlSeconds ?? DEFAULT_STATIC_TTL_SECONDS.max,
    };
    const uncached = props.uncachedPathPatterns ?? DEFAULT_UNCACHED_PATH_PATTERNS;
    this.validate(props, ttls, uncached);
    const name = (...parts: string[]) => physicalName(props.namePrefix, 'cdn', ...parts);

    this.certificateArn = validatedCertificate(
      new Construct(this, 'ViewerCertificate'),
      props.domainName,
      props.zoneId,
      props.usEast1,
    );
    this.webAclArn = loggedWebAcl(new Construct(this, 'Waf'), {
      name: name(),
      physicalName: name,
      description: `Protects ${props.domainName} at the edge (CloudFront)`,
      scope: 'CLOUDFRONT',
      accountId: props.accountId,
      region: 'us-east-1',
      provider: props.usEast1,
      rateLimits: {
        rateLimitPer5Minutes: props.rateLimitPer5Minutes,
        warehouses: props.warehouses ?? [],
      },
      managedRuleGroups: MANAGED_RULE_GROUPS,
      logRetentionDays: props.logRetentionDays ?? 365,
    }).arn;

    this.distribution = this.createDistribution(props, name, ttls, uncached);
    this.createAccessLogs(props, name);
    if (props.servesDomain ?? false) this.createAliasRecords(props);
  }

  /** The distribution: one origin (the load balancer), the static default behaviour, one behaviour per uncached pattern. */
  private createDistribution(
    props: ContentDeliveryProps,
    name: (...parts: string[]) => string,
    ttls: StaticTtls,
    uncached: readonly string[],
  ): CloudfrontDistribution {
    const staticPolicy = new CloudfrontCachePolicy(this, 'StaticCachePolicy', {
      name: name('static'),
      comment: `Static front end of ${props.domainName}: no cookies, headers or query strings in the key`,
      minTtl: ttls.minSeconds,
      defaultTtl: ttls.defaultSeconds,
      maxTtl: ttls.maxSeconds,
      parametersInCacheKeyAndForwardedToOrigin: {
        cookiesConfig: { cookieBehavior: 'none' },
        headersConfig: { headerBehavior: 'none' },
        queryStringsConfig: { queryStringBehavior: 'none' },
        enableAcceptEncodingBrotli: true,
        enableAcceptEncodingGzip: true,
      },
    });
    const headers = new CloudfrontResponseHeadersPolicy(this, 'SecurityHeaders', {
      name: name('security-headers'),
      comment: `Security headers of ${props.domainName}`,
      securityHeadersConfig: {
        // Two years, the subdomains too; no preload: entering the HSTS preload list is a commitment of its own.
        strictTransportSecurity: {
          accessControlMaxAgeSec: 63072000,
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: 'DENY', override: true },
        referrerPolicy: { referrerPolicy: 'strict-origin-when-cross-origin', override: true },
      },
    });
    const uncachedBehaviours: CloudfrontDistributionOrderedCacheBehavior[] = uncached.map((pathPattern) => ({
      pathPattern,
      targetOriginId: ORIGIN_ID,
      viewerProtocolPolicy: 'redirect-to-https',
      allowedMethods: ALL_METHODS,
      cachedMethods: ['GET', 'HEAD'],
      cachePolicyId: MANAGED_POLICY_IDS.cachingDisabled,
      originRequestPolicyId: MANAGED_POLICY_IDS.allViewerExceptHostHeader,
      responseHeadersPolicyId: headers.id,
      // Nothing is cached, so CloudFront does not compress; the API compresses for itself.
      compress: false,
    }));
    return new CloudfrontDistribution(this, 'Distribution', {
      enabled: true,
      comment: `${props.namePrefix}: ${props.domainName} (origin ${props.originDomainName})`,
      aliases: [props.domainName],
      httpVersion: 'http2and3',
      isIpv6Enabled: true,
      priceClass: props.priceClass ?? 'PriceClass_100',
      webAclId: this.webAclArn,
      origin: [
        {
          originId: ORIGIN_ID,
          domainName: props.originDomainName,
          customOriginConfig: {
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: 'https-only',
            originSslProtocols: ['TLSv1.2'],
          },
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: ORIGIN_ID,
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
        cachedMethods: ['GET', 'HEAD'],
        cachePolicyId: staticPolicy.id,
        responseHeadersPolicyId: headers.id,
        compress: true,
      },
      orderedCacheBehavior: uncachedBehaviours,
      restrictions: { geoRestriction: { restrictionType: 'none' } },
      viewerCertificate: {
        acmCertificateArn: this.certificateArn,
        sslSupportMethod: 'sni-only',
        minimumProtocolVersion: 'TLSv1.2_2021',
      },
    });
  }

  /**
   * Standard logging v2: CloudWatch Logs' vended delivery, configured in us-east-1 (where CloudFront's delivery
   * sources live), writing JSON to the access-log bucket across regions. The legacy `logging_config` needs bucket
   * ACLs, which our buckets disable (BucketOwnerEnforced).
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
   */
  private createAccessLogs(props: ContentDeliveryProps, name: (...parts: string[]) => string): void {
    const source = new CloudwatchLogDeliverySource(this, 'AccessLogSource', {
      provider: props.usEast1,
      name: name('access'),
      logType: 'ACCESS_LOGS',
      resourceArn: this.distribution.arn,
    });
    const destination = new CloudwatchLogDeliveryDestination(this, 'AccessLogDestination', {
      provider: props.usEast1,
      name: name('access-s3'),
      outputFormat: 'json',
      deliveryDestinationConfiguration: [
        { destinationResourceArn: `${props.accessLogs.bucketArn}/${props.accessLogs.prefix}` },
      ],
    });
    new CloudwatchLogDelivery(this, 'AccessLogDelivery', {
      provider: props.usEast1,
      deliverySourceName: source.name,
      deliveryDestinationArn: destination.arn,
    });
  }

  /** `domainName` A and AAAA aliases to the distribution, taking the records over from external-dns. */
  private createAliasRecords(props: ContentDeliveryProps): void {
    for (const type of ['A', 'AAAA'] as const) {
      new Route53Record(this, `Alias${type}`, {
        zoneId: props.zoneId,
        name: props.domainName,
        type,
        alias: {
          name: this.distribution.domainName,
          zoneId: this.distribution.hostedZoneId,
          evaluateTargetHealth: false,
        },
        // external-dns created the A record when the load balancer served the name (docs/runbooks/cdn-dns-move.md).
        allowOverwrite: true,
      });
    }
  }

  private validate(props: ContentDeliveryProps, ttls: StaticTtls, uncached: readonly string[]): void {
    validateRateLimits(this, {
      rateLimitPer5Minutes: props.rateLimitPer5Minutes,
      warehouses: props.warehouses ?? [],
    });
    const ttlValues = [ttls.minSeconds, ttls.defaultSeconds, ttls.maxSeconds];
    if (
      ttlValues.some((ttl) => !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) ||
      ttls.minSeconds > ttls.defaultSeconds ||
      ttls.defaultSeconds > ttls.maxSeconds
    ) {
      throw propError(
        this,
        'staticMinTtlSeconds, staticDefaultTtlSeconds, staticMaxTtlSeconds',
        [ttls.minSeconds, ttls.defaultSeconds, ttls.maxSeconds],
        `whole seconds from 0 to ${MAX_TTL_SECONDS}, minSeconds <= defaultSeconds <= maxSeconds`,
      );
    }
    if (
      uncached.length === 0 ||
      uncached.length > 10 ||
      uncached.some((pattern) => !PATH_PATTERN.test(pattern)) ||
      new Set(uncached).size !== uncached.length
    ) {
      throw propError(
        this,
        'uncachedPathPatterns',
        uncached,
        '1-10 distinct CloudFront path patterns starting with / such as /api/*',
      );
    }
    if (props.originDomainName === props.domainName) {
      throw propError(
        this,
        'originDomainName',
        props.originDomainName,
        `a host name of the load balancer other than domainName (${props.domainName}), e.g. origin.${props.domainName}`,
      );
    }
  }
}
