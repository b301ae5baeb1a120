import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alertmanagerSecretFile,
  renderAlertmanagerYaml,
} from '../../../constructs/observability/alertmanager-config';
import { runTool } from './tools';

const OPTIONS = {
  pagerKeyFile: alertmanagerSecretFile('alertmanager-wms-receivers', 'pager-routing-key'),
  chatUrlFile: alertmanagerSecretFile('alertmanager-wms-receivers', 'chat-webhook-url'),
  chatChannel: '#wms-alerts',
};

describe('the rendered Alertmanager configuration, checked by amtool', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wms-amtool-'));
    file = join(dir, 'alertmanager.yaml');
    writeFileSync(file, renderAlertmanagerYaml(OPTIONS));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const routes = (receiver: string, labels: string[]) =>
    runTool('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${file}`,
      `--verify.receivers=${receiver}`,
      ...labels,
    ]);

  it('THEN passes amtool check-config', () => {
    const result = runTool('amtool', ['check-config', file]);
    expect(result.output).toContain('SUCCESS');
    expect(result.output).toContain('3 receivers');
    expect(result.status).toBe(0);
  });

  it('GIVEN no chatChannel THEN passes amtool check-config too', () => {
    const other = join(dir, 'no-channel.yaml');
    writeFileSync(other, renderAlertmanagerYaml({ ...OPTIONS, chatChannel: undefined }));
    expect(runTool('amtool', ['check-config', other]).status).toBe(0);
  });

  it.each([
    ['critical', 'pager', ['severity=critical', 'alertname=WmsApiDown', 'component=wms-api']],
    ['warning', 'chat', ['severity=warning', 'alertname=WmsNodeDiskUsageHigh']],
    ['info', 'log-only', ['severity=info', 'alertname=WmsApiUnusualTraffic']],
    ['Watchdog', 'log-only', ['severity=none', 'alertname=Watchdog']],
    ['InfoInhibitor', 'log-only', ['severity=none', 'alertname=InfoInhibitor']],
    ['an unknown severity', 'chat', ['severity=high', 'alertname=SomethingElse']],
    ['no severity', 'chat', ['alertname=SomethingElse']],
  ])('GIVEN %s THEN amtool routes it to %s', (_, receiver, labels) => {
    const result = routes(receiver, labels);
    expect(result.stdout.trim()).toBe(receiver);
    expect(result.status).toBe(0);
  });

  it('GIVEN the wrong expected receiver THEN amtool routing verification fails', () => {
    const result = routes('pager', ['severity=warning', 'alertname=WmsNodeDiskUsageHigh']);
    expect(result.output).toContain('Expected receivers did not match');
    expect(result.status).not.toBe(0);
  });
});
