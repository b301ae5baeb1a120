/**
 * Facts of request-rate autoscaling (issue #18) that the monitoring (prometheus-adapter, which serves the metric)
 * and the app (the HorizontalPodAutoscaler, which reads it) share.
 */

/**
 * The custom metric (`custom.metrics.k8s.io`, per pod) the API's HorizontalPodAutoscaler scales on: requests per
 * second of each pod, which prometheus-adapter computes from the API's `http_requests_total`.
 */
export const REQUEST_RATE_METRIC = 'http_requests_per_second';
