import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AlertGroup, alertLinks, groupSummary, slackPayload } from './messages';

const since = new Date('2026-12-06T18:56:12Z');
const group: AlertGroup = {
  id: 'msg_1',
  status: 'firing',
  at: new Date('2026-12-06T19:02:00Z'),
  rule: {
    id: 'r1',
    name: 'Slow p99',
    severity: 'warning',
    metric: 'latency_p99',
    comparator: '>',
    threshold: 2000,
    window: '5m',
  },
  alerts: [
    { integration: 'geo', status: 'firing', value: 2412.4, since, labels: {}, annotations: {} },
    { integration: 'crm', status: 'firing', value: 3050, since, labels: {}, annotations: {} },
  ],
};

test('the summary carries each value, the threshold in units and the window', () => {
  assert.equal(
    groupSummary(group),
    '[FIRING] Slow p99 (warning): geo 2412 ms, crm 3050 ms; latency p99 > 2000 ms over 5m',
  );
});

test('links go to the integration page and the explorer over the range, under the public URL', () => {
  const links = alertLinks('https://bw.example.com', 'geo', since, group.at);
  assert.equal(links.integration, 'https://bw.example.com/integrations/geo');
  const explorer = new URL(links.explorer);
  assert.equal(explorer.pathname, '/explorer');
  assert.equal(explorer.searchParams.get('integration'), 'geo');
  assert.equal(explorer.searchParams.get('from'), '2026-12-06T18:56:12.000Z');
  assert.equal(explorer.searchParams.get('to'), '2026-12-06T19:02:00.000Z');
  assert.equal(alertLinks(undefined, 'geo', since, group.at).integration, '/integrations/geo');
});

test('a Slack message heads with the summary; each line links to the integration and its calls, if it has links', () => {
  const linked = {
    ...group,
    alerts: [
      { ...group.alerts[0], links: alertLinks('https://bw.example.com', 'geo', since, group.at) },
      group.alerts[1],
    ],
  };
  const [head, geo, crm] = slackPayload(linked).text.split('\n');
  assert.equal(head, `:rotating_light: *${groupSummary(group)}*`);
  assert.match(
    geo,
    /^• \*geo\*: 2412 ms · <https:\/\/bw\.example\.com\/integrations\/geo\|integration> · <https:\/\/bw\.example\.com\/explorer\?/,
  );
  assert.equal(crm, '• *crm*: 3050 ms');
});
