/**
 * The TLS policy of every internet-facing load balancer's HTTPS listener: TLS 1.3 and 1.2 only, forward-secret
 * ciphers.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 */
export const ALB_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';
