/** Labels stay few: GitHub routes are templates, Slack methods are method names, never a URL with values in it. */
import { routeTemplateOf } from '../../src/github/call-metrics';
import { createMetrics } from '../../src/metrics';
import { payloadKindOf } from '../../src/slack/guard-requests';
import { slackMethodOf } from '../../src/slack/web-api-metrics';
import { silentLogger } from '../support/database';
import { parseExposition } from './exposition';

test('a GitHub route template stays as it is; a full URL (a pagination link) loses its numbers, shas and query', () => {
  expect(routeTemplateOf({ method: 'get', url: '/repos/{owner}/{repo}/git/ref/{ref}' })).toBe('GET /repos/{owner}/{repo}/git/ref/{ref}');
  expect(routeTemplateOf({ method: 'POST', url: '/graphql' })).toBe('POST /graphql');
  expect(
    routeTemplateOf({
      method: 'GET',
      url: 'https://api.github.com/repositories/123/commits/0123456789abcdef0123456789abcdef01234567/check-runs?page=2',
      baseUrl: 'https://github.example',
    }),
  ).toBe('GET /repositories/{n}/commits/{sha}/check-runs');
  expect(routeTemplateOf({ method: 'GET', url: 'https://api.example/x/7?token=secret', baseUrl: 'https://api.example' })).toBe(
    'GET /x/{n}',
  );
});

test('a Slack method is the last part of its URL; anything else is `other`', () => {
  expect(slackMethodOf('https://slack.com/api/chat.postMessage')).toBe('chat.postMessage');
  expect(slackMethodOf('http://127.0.0.1:4000/api/conversations.info?x=1')).toBe('conversations.info');
  expect(slackMethodOf('https://files.slack.com/upload/v1/ABC123')).toBe('other');
});

test('past 200 distinct values of a label, further ones count as `other`', async () => {
  const metrics = createMetrics({ logger: silentLogger, processMetrics: false });
  for (let i = 0; i < 250; i += 1) metrics.slackCall(`method.n${String.fromCharCode(97 + (i % 26))}${i}`, 'ok');
  const text = parseExposition(await metrics.render());
  const series = text.samples.filter((s) => s.name === 'release_conductor_slack_api_requests_total');
  expect(series).toHaveLength(201);
  expect(text.value('release_conductor_slack_api_requests_total', { method: 'other', result: 'ok' })).toBe(50);
});

test('the kind of a Slack payload, as the ack latency is labelled', () => {
  expect(payloadKindOf({ command: '/release', text: 'status' })).toBe('command');
  expect(payloadKindOf({ type: 'block_actions' })).toBe('action');
  expect(payloadKindOf({ type: 'view_submission' })).toBe('view');
  expect(payloadKindOf({ type: 'view_closed' })).toBe('view');
  expect(payloadKindOf({ type: 'block_suggestion' })).toBe('options');
  expect(payloadKindOf({ type: 'event_callback', event: { type: 'app_home_opened' } })).toBe('event');
  expect(payloadKindOf({ type: 'message_action' })).toBe('shortcut');
  expect(payloadKindOf({ type: 'something_new' })).toBe('other');
});
