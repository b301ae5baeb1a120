/**
 * The Alertmanager configuration of the WMS: routes by `severity`, groups, inhibits warnings while a critical
 * alert of the same component fires, and reads every receiver secret from a file mounted from a Kubernetes
 * Secret, so the rendered configuration holds no secret and can live in git, a ConfigMap or a values file.
 */
import { stringify } from 'yaml';
import { problem, throwProblems } from './targets';

/** Options of {@link renderAlertmanagerConfig}. */
export interface AlertmanagerConfigOptions {
  /**
   * File holding the PagerDuty Events API v2 routing (integration) key of the pager receiver (critical alerts).
   * Build it with {@link alertmanagerSecretFile}.
   */
  readonly pagerKeyFile: string;
  /** File holding the Slack incoming-webhook URL of the chat/ticket receiver (warning alerts). */
  readonly chatUrlFile: string;
  /**
   * Slack channel to post to, e.g. `#wms-alerts`.
   * @default - the channel the incoming webhook was created for
   */
  readonly chatChannel?: string;
  /**
   * Critical alerts go to the pager; when false (non-production) they go to chat like warnings, so nobody is woken
   * for an environment without users.
   * @default true
   */
  readonly pageCritical?: boolean;
  /**
   * File holding the URL of a dead-man's-switch heartbeat (a check that alerts when pings stop). The always-firing
   * `Watchdog` alert is sent there every minute, so a dead Prometheus, Alertmanager or cluster pages by silence.
   * @default - the Watchdog goes to the log-only receiver and nothing notices a dead alerting pipeline
   */
  readonly heartbeatUrlFile?: string;
}

/** Receiver names, one per severity. */
export const RECEIVERS = {
  pager: 'pager',
  chat: 'chat',
  logOnly: 'log-only',
  heartbeat: 'heartbeat',
} as const;

/** Grouping and timing of notifications. */
export const NOTIFICATION_TIMING = {
  groupBy: ['alertname', 'namespace', 'component'],
  groupWait: '30s',
  groupInterval: '5m',
  pagerRepeatInterval: '1h',
  chatRepeatInterval: '12h',
  logOnlyRepeatInterval: '24h',
  heartbeatInterval: '1m',
} as const;

/** Where the Prometheus operator mounts a Secret listed in `alertmanagerSpec.secrets`. */
export const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager/secrets';

/**
 * The path at which Alertmanager reads `key` of Secret `secretName`, once kube-prometheus-stack lists the Secret
 * in `alertmanager.alertmanagerSpec.secrets` (the operator mounts it at `/etc/alertmanager/secrets/<name>/`).
 * @throws if the name is not a Kubernetes Secret name or the key not a Secret key
 */
export function alertmanagerSecretFile(secretName: string, key: string): string {
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(secretName)) {
    problems.push(problem('alertmanagerSecretFile', 'secretName', secretName, 'a Kubernetes Secret name'));
  }
  if (!/^[-._a-zA-Z0-9]{1,253}$/.test(key) || /^\.+$/.test(key)) {
    problems.push(problem('alertmanagerSecretFile', 'key', key, 'a Secret key: letters, digits, - _ .'));
  }
  throwProblems(problems);
  return `${ALERTMANAGER_SECRETS_DIR}/${secretName}/${key}`;
}

/** Alertmanager configuration, as Alertmanager reads it (`alertmanager.yaml`). */
export type AlertmanagerConfig = Readonly<Record<string, unknown>>;

const SLACK_TEXT = [
  '{{ range .Alerts }}*{{ .Annotations.summary }}*',
  '{{ .Annotations.description }}',
  'Runbook: {{ .Annotations.runbook_url }}',
  '{{ end }}',
].join('\n');

/**
 * Renders the Alertmanager configuration.
 *
 * - `severity="critical"` goes to `pager` (PagerDuty; to `chat` when `pageCritical` is false), `warning` to `chat`
 *   (Slack: the ticket queue), `info` to `log-only`, a receiver without integrations: the alert is kept by
 *   Prometheus (`ALERTS` series) and shown in Alertmanager and Grafana, and nobody is notified. Kube-prometheus-
 *   stack's `Watchdog` goes to the `heartbeat` webhook every minute when `heartbeatUrlFile` is set (else
 *   `log-only`), `InfoInhibitor` to `log-only`. Anything else (an unknown or missing severity) goes to `chat`.
 * - A critical alert inhibits warning and info alerts with the same `alertname` and `namespace` (kps'
 *   critical/warning pairs), and those of the same WMS `component`.
 * - Secrets are read from files: PagerDuty `routing_key_file`, Slack `api_url_file` (Alertmanager >= 0.25).
 * @throws listing every invalid option
 */
export function renderAlertmanagerConfig(options: AlertmanagerConfigOptions): AlertmanagerConfig {
  const where = 'renderAlertmanagerConfig';
  const problems: string[] = [];
  const file = /^\/[^\s"'\\]+$/;
  const fileAllowed = 'an absolute path without spaces or quotes, e.g. from alertmanagerSecretFile()';
  if (
    typeof options.pagerKeyFile !== 'string' ||
    !file.test(options.pagerKeyFile) ||
    options.pagerKeyFile.includes('/../')
  ) {
    problems.push(problem(where, 'pagerKeyFile', options.pagerKeyFile, fileAllowed));
  }
  if (
    typeof options.chatUrlFile !== 'string' ||
    !file.test(options.chatUrlFile) ||
    options.chatUrlFile.includes('/../')
  ) {
    problems.push(problem(where, 'chatUrlFile', options.chatUrlFile, fileAllowed));
  }
  if (
    options.heartbeatUrlFile !== undefined &&
    (!file.test(options.heartbeatUrlFile) || options.heartbeatUrlFile.includes('/../'))
  ) {
    problems.push(problem(where, 'heartbeatUrlFile', options.heartbeatUrlFile, fileAllowed));
  }
  if (options.pageCritical !== undefined && typeof options.pageCritical !== 'boolean') {
    problems.push(problem(where, 'pageCritical', options.pageCritical, 'true or false'));
  }
  if (options.chatChannel !== undefined && !/^[#@][a-z0-9][a-z0-9._-]{0,79}$/.test(options.chatChannel)) {
    problems.push(problem(where, 'chatChannel', options.chatChannel, 'a Slack channel such as #wms-alerts'));
  }
  throwProblems(problems);

  const timing = NOTIFICATION_TIMING;
  const heartbeat = options.heartbeatUrlFile;
  const pageCritical = options.pageCritical ?? true;
  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: RECEIVERS.chat,
      group_by: [...timing.groupBy],
      group_wait: timing.groupWait,
      group_interval: timing.groupInterval,
      repeat_interval: timing.chatRepeatInterval,
      routes: [
        heartbeat === undefined
          ? {
              receiver: RECEIVERS.logOnly,
              matchers: ['alertname="Watchdog"'],
              repeat_interval: timing.logOnlyRepeatInterval,
            }
          : {
              receiver: RECEIVERS.heartbeat,
              matchers: ['alertname="Watchdog"'],
              group_by: ['alertname'],
              group_wait: '0s',
              group_interval: timing.heartbeatInterval,
              repeat_interval: timing.heartbeatInterval,
            },
        {
          receiver: RECEIVERS.logOnly,
          matchers: ['alertname="InfoInhibitor"'],
          repeat_interval: timing.logOnlyRepeatInterval,
        },
        {
          receiver: pageCritical ? RECEIVERS.pager : RECEIVERS.chat,
          matchers: ['severity="critical"'],
          repeat_interval: pageCritical ? timing.pagerRepeatInterval : timing.chatRepeatInterval,
        },
        {
          receiver: RECEIVERS.chat,
          matchers: ['severity="warning"'],
          repeat_interval: timing.chatRepeatInterval,
        },
        {
          receiver: RECEIVERS.logOnly,
          matchers: ['severity="info"'],
          repeat_interval: timing.logOnlyRepeatInterval,
        },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity=~"warning|info"'],
        equal: ['alertname', 'namespace'],
      },
      {
        source_matchers: ['severity="critical"', 'component=~"wms-.+"'],
        target_matchers: ['severity=~"warning|info"'],
        equal: ['component'],
      },
    ],
    receivers: [
      {
        name: RECEIVERS.pager,
        pagerduty_configs: [
          {
            routing_key_file: options.pagerKeyFile,
            send_resolved: true,
            details: { runbook_url: '{{ .CommonAnnotations.runbook_url }}' },
          },
        ],
      },
      {
        name: RECEIVERS.chat,
        slack_configs: [
          {
            api_url_file: options.chatUrlFile,
            ...(options.chatChannel === undefined ? {} : { channel: options.chatChannel }),
            send_resolved: true,
            title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
            text: SLACK_TEXT,
          },
        ],
      },
      { name: RECEIVERS.logOnly },
      ...(heartbeat === undefined
        ? []
        : [
            {
              name: RECEIVERS.heartbeat,
              webhook_configs: [{ url_file: heartbeat, send_resolved: false }],
            },
          ]),
    ],
  };
}

/** {@link renderAlertmanagerConfig} as YAML: the `alertmanager.yaml` key of the Alertmanager config Secret. */
export function renderAlertmanagerYaml(options: AlertmanagerConfigOptions): string {
  return stringify(renderAlertmanagerConfig(options), { lineWidth: 0 });
}
