/** Facts about the CDN (CloudFront) that the environment schema and the ContentDelivery construct share. */

/** CloudFront's price classes: which edge locations serve the viewers (and what a request costs). */
export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;

/** One of {@link PRICE_CLASSES}. */
export type PriceClass = (typeof PRICE_CLASSES)[number];

/** The longest cache time CloudFront accepts in a cache policy (one year). */
export const MAX_TTL_SECONDS = 31536000;

/**
 * Cache times of the static front end when not configured: the origin's `Cache-Control` decides up to a year,
 * a day without one (as the AWS managed CachingOptimized policy).
 */
export const DEFAULT_STATIC_TTL_SECONDS = { min: 0, default: 86400, max: MAX_TTL_SECONDS } as const;

/** The paths never cached when not configured: the API. */
export const DEFAULT_UNCACHED_PATH_PATTERNS: readonly string[] = ['/api', '/api/*'];

/** The host name CloudFront reaches the load balancer at: `origin.<dnsDomain>` (the Ingress host with a CDN). */
export function cdnOriginHostName(dnsDomain: string): string {
  return `origin.${dnsDomain}`;
}
