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

  describe('GIVEN a non-production environment (pageCritical false) with a heartbeat', () => {
    const heartbeatUrlFile = alertmanagerSecretFile('alertmanager-wms-receivers', 'heartbeat-url');
    const rendered = () => renderAlertmanagerYaml({ ...OPTIONS, pageCritical: false, heartbeatUrlFile });
    let nonProd: string;
    beforeAll(() => {
      // The heartbeat is a webhook whose URL is read from a file (`url_file`, Alertmanager >= 0.26; the chart's
      // Alertmanager is newer). The amtool here is 0.25, which knows only `url`: that one field is swapped so the
      // real tool checks everything else and the routing; the test below proves 0.25's refusal is that field.
      nonProd = join(dir, 'non-prod.yaml');
      writeFileSync(
        nonProd,
        rendered().replace(`url_file: ${heartbeatUrlFile}`, 'url: https://heartbeat.invalid/ping'),
      );
    });
    const routesOf = (receiver: string, labels: string[]) =>
      runTool('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${nonProd}`,
        `--verify.receivers=${receiver}`,
        ...labels,
      ]);

    it('THEN amtool refuses nothing but the heartbeat url_file, and passes check-config with 4 receivers', () => {
      const raw = join(dir, 'non-prod-raw.yaml');
      writeFileSync(raw, rendered());
      const version = runTool('amtool', ['--version']).output;
      const asRendered = runTool('amtool', ['check-config', raw]);
      if (/version 0\.25\./.test(version)) {
        expect(asRendered.output).toMatch(/field url_file not found/);
      } else {
        expect(asRendered.status).toBe(0);
      }
      const result = runTool('amtool', ['check-config', nonProd]);
      expect(result.output).toContain('4 receivers');
      expect(result.status).toBe(0);
    });

    it.each([
      ['critical', 'chat', ['severity=critical', 'alertname=WmsApiDown', 'environment=dev']],
      ['Watchdog', 'heartbeat', ['severity=none', 'alertname=Watchdog']],
      ['InfoInhibitor', 'log-only', ['severity=none', 'alertname=InfoInhibitor']],
    ])('THEN amtool routes %s to %s', (_, receiver, labels) => {
      const result = routesOf(receiver, labels);
      expect(result.stdout.trim()).toBe(receiver);
      expect(result.status).toBe(0);
    });
  });
});
