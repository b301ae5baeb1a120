import { parse } from 'yaml';
import {
  alertmanagerSecretFile,
  renderAlertmanagerConfig,
  renderAlertmanagerYaml,
} from '../../../constructs/observability/alertmanager-config';

const OPTIONS = {
  pagerKeyFile: alertmanagerSecretFile('alertmanager-wms-receivers', 'pager-routing-key'),
  chatUrlFile: alertmanagerSecretFile('alertmanager-wms-receivers', 'chat-webhook-url'),
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Values = any;
const config = renderAlertmanagerConfig(OPTIONS) as Values;

describe('alertmanagerSecretFile', () => {
  it('THEN is where the operator mounts alertmanagerSpec.secrets', () => {
    expect(OPTIONS.pagerKeyFile).toBe(
      '/etc/alertmanager/secrets/alertmanager-wms-receivers/pager-routing-key',
    );
  });

  it('GIVEN a bad Secret name and key THEN reports both', () => {
    const call = () => alertmanagerSecretFile('Bad_Name', '../key');
    expect(call).toThrow(
      /alertmanagerSecretFile: secretName: "Bad_Name" is not allowed \(a Kubernetes Secret name\)/,
    );
    expect(call).toThrow(/alertmanagerSecretFile: key: "..\/key" is not allowed/);
  });
});

describe('renderAlertmanagerConfig', () => {
  it('THEN routes critical to the pager, warning to chat, info and Watchdog to log-only, the rest to chat', () => {
    expect(config.route.receiver).toBe('chat');
    expect(config.route.routes).toEqual([
      { receiver: 'log-only', matchers: ['alertname="Watchdog"'], repeat_interval: '24h' },
      { receiver: 'log-only', matchers: ['alertname="InfoInhibitor"'], repeat_interval: '24h' },
      { receiver: 'pager', matchers: ['severity="critical"'], repeat_interval: '1h' },
      { receiver: 'chat', matchers: ['severity="warning"'], repeat_interval: '12h' },
      { receiver: 'log-only', matchers: ['severity="info"'], repeat_interval: '24h' },
    ]);
  });

  it('GIVEN pageCritical false THEN critical alerts go to chat, repeated like warnings', () => {
    const nonProd = renderAlertmanagerConfig({ ...OPTIONS, pageCritical: false }) as Values;
    expect(nonProd.route.routes).toContainEqual({
      receiver: 'chat',
      matchers: ['severity="critical"'],
      repeat_interval: '12h',
    });
  });

  it('GIVEN a heartbeat URL file THEN the Watchdog pings it every minute, never resolved', () => {
    const withHeartbeat = renderAlertmanagerConfig({
      ...OPTIONS,
      heartbeatUrlFile: '/etc/alertmanager/secrets/r/heartbeat-url',
    }) as Values;
    expect(withHeartbeat.route.routes[0]).toEqual({
      receiver: 'heartbeat',
      matchers: ['alertname="Watchdog"'],
      group_by: ['alertname'],
      group_wait: '0s',
      group_interval: '1m',
      repeat_interval: '1m',
    });
    expect(withHeartbeat.receivers).toContainEqual({
      name: 'heartbeat',
      webhook_configs: [{ url_file: '/etc/alertmanager/secrets/r/heartbeat-url', send_resolved: false }],
    });
  });

  it.each([
    ['heartbeatUrlFile', { heartbeatUrlFile: 'relative/path' }],
    ['pageCritical', { pageCritical: 'no' as unknown as boolean }],
  ])('GIVEN an invalid %s THEN names it', (field, extra) => {
    expect(() => renderAlertmanagerConfig({ ...OPTIONS, ...extra })).toThrow(new RegExp(field));
  });

  it('THEN groups by alert, namespace and component', () => {
    expect(config.route).toEqual(
      expect.objectContaining({
        group_by: ['alertname', 'namespace', 'component'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '12h',
      }),
    );
  });

  it('THEN a critical alert inhibits warnings of the same alert name or WMS component', () => {
    expect(config.inhibit_rules).toEqual([
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
    ]);
  });

  it('THEN reads every secret from a file and holds no secret value', () => {
    const [pager, chat, logOnly] = config.receivers;
    expect(pager.pagerduty_configs[0].routing_key_file).toBe(OPTIONS.pagerKeyFile);
    expect(chat.slack_configs[0].api_url_file).toBe(OPTIONS.chatUrlFile);
    expect(logOnly).toEqual({ name: 'log-only' });
    const secretFields =
      /^(routing_key|service_key|api_url|url|api_key|auth_password|webhook_url|bot_token|credentials)$/;
    const keys: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          keys.push(key);
          walk(child);
        }
      }
    };
    walk(config);
    expect(keys.filter((key) => secretFields.test(key))).toEqual([]);
    expect(keys.filter((key) => key.endsWith('_file')).sort()).toEqual(['api_url_file', 'routing_key_file']);
  });

  it('THEN notifications link the runbook and report resolution', () => {
    const [pager, chat] = config.receivers;
    expect(pager.pagerduty_configs[0]).toEqual(
      expect.objectContaining({
        send_resolved: true,
        details: { runbook_url: '{{ .CommonAnnotations.runbook_url }}' },
      }),
    );
    expect(chat.slack_configs[0].send_resolved).toBe(true);
    expect(chat.slack_configs[0].text).toContain('Runbook: {{ .Annotations.runbook_url }}');
  });

  it('GIVEN no chatChannel THEN posts to the webhook’s own channel (default)', () => {
    expect(config.receivers[1].slack_configs[0]).not.toHaveProperty('channel');
  });

  it('GIVEN a chatChannel THEN posts there', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const withChannel = renderAlertmanagerConfig({ ...OPTIONS, chatChannel: '#wms-alerts' }) as any;
    expect(withChannel.receivers[1].slack_configs[0].channel).toBe('#wms-alerts');
  });

  it('GIVEN invalid options THEN reports every problem with field, value and what is allowed', () => {
    const render = () =>
      renderAlertmanagerConfig({
        pagerKeyFile: 'pager-key',
        chatUrlFile: '/etc/../chat',
        chatChannel: 'wms alerts',
      });
    expect(render).toThrow(
      /^renderAlertmanagerConfig: pagerKeyFile: "pager-key" is not allowed \(an absolute path/,
    );
    expect(render).toThrow(/renderAlertmanagerConfig: chatUrlFile: "\/etc\/..\/chat" is not allowed/);
    expect(render).toThrow(
      /chatChannel: "wms alerts" is not allowed \(a Slack channel such as #wms-alerts\)/,
    );
  });

  it('THEN the YAML is the same configuration', () => {
    expect(parse(renderAlertmanagerYaml(OPTIONS))).toEqual(config);
  });
});
