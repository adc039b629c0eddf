/**
 * The fake Slack refuses what real Slack refuses (issue 12), by default. Each
 * case names the limit it models and where it comes from; the payload at the
 * limit is accepted, one past it is refused with Slack's error code and its
 * `response_metadata.messages` ("[ERROR] … [json-pointer:…]").
 *
 * Sources: Slack's Block Kit reference (https://docs.slack.dev/reference/block-kit/blocks,
 * …/block-elements, …/composition-objects, and https://docs.slack.dev/reference/views for
 * modals and the Home tab), and for the total text of a message's blocks, which Slack does
 * not document, slackapi/bolt-js issues 2509 and 2867 (measured refusals past about 12,000).
 */
import { WebAPIPlatformError, WebClient } from '@slack/web-api';
import { BLOCK_KIT_LIMITS, blocksTextLength } from '../fakes/slack-block-kit';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { silentLogger } from './silent-logger';

const CHANNEL = 'C0FXATEAM1';
const ALICE = 'U0ALICE001';
const BLOCK_KIT = 'Block Kit reference';
const BOLT_ISSUES = 'slackapi/bolt-js issues 2509 and 2867';

let slack: FakeSlack;
let client: WebClient;

beforeEach(async () => {
  slack = await startFakeSlack();
  slack.addUser({ id: ALICE, name: 'alice' });
  slack.addChannel({ id: CHANNEL, name: 'fxa-team' });
  client = new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger() });
});
afterEach(async () => {
  await slack.close();
});

/** Slack's answer to a refused call: the error and its messages. */
async function refusal(promise: Promise<unknown>): Promise<{ error: string; messages: string[] }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebAPIPlatformError) return { error: error.data.error, messages: error.data.response_metadata?.messages ?? [] };
    throw error;
  }
  throw new Error('expected Slack to refuse the call');
}

const text = (n: number): string => 'x'.repeat(n);
const mrkdwn = (n: number) => ({ type: 'mrkdwn' as const, text: text(n) });
const plain = (n: number) => ({ type: 'plain_text' as const, text: text(n) });
const button = (fields: { text?: number; value?: number; actionId?: number } = {}) => ({
  type: 'button',
  text: plain(fields.text ?? 2),
  action_id: fields.actionId === undefined ? 'go' : text(fields.actionId),
  ...(fields.value === undefined ? {} : { value: text(fields.value) }),
});
const options = (n: number) => Array.from({ length: n }, (_, i) => ({ text: plain(2), value: `v${i}` }));
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

interface MessageLimit {
  limit: string;
  source: string;
  /** Blocks at the limit (accepted) and one past it (refused). */
  atLimit: unknown[];
  pastLimit: unknown[];
  message: string;
}

const messageLimits: MessageLimit[] = [
  {
    limit: `${BLOCK_KIT_LIMITS.blocksPerMessage} blocks per message`,
    source: BLOCK_KIT,
    atLimit: times(50, () => ({ type: 'divider' })),
    pastLimit: times(51, () => ({ type: 'divider' })),
    message: '[ERROR] no more than 50 items allowed [json-pointer:/blocks]',
  },
  {
    limit: 'section text: 3,000 characters',
    source: BLOCK_KIT,
    atLimit: [{ type: 'section', text: mrkdwn(3000) }],
    pastLimit: [{ type: 'section', text: mrkdwn(3001) }],
    message: '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
  },
  {
    limit: 'section fields: 10',
    source: BLOCK_KIT,
    atLimit: [{ type: 'section', fields: times(10, () => mrkdwn(1)) }],
    pastLimit: [{ type: 'section', fields: times(11, () => mrkdwn(1)) }],
    message: '[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/fields]',
  },
  {
    limit: 'section field text: 2,000 characters',
    source: BLOCK_KIT,
    atLimit: [{ type: 'section', fields: [mrkdwn(2000)] }],
    pastLimit: [{ type: 'section', fields: [mrkdwn(1), mrkdwn(2001)] }],
    message: '[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/fields/1/text]',
  },
  {
    limit: 'header text: 150 characters',
    source: BLOCK_KIT,
    atLimit: [{ type: 'header', text: plain(150) }],
    pastLimit: [{ type: 'divider' }, { type: 'header', text: plain(151) }],
    message: '[ERROR] must be less than 151 characters [json-pointer:/blocks/1/text/text]',
  },
  {
    limit: 'context: 10 elements',
    source: BLOCK_KIT,
    atLimit: [{ type: 'context', elements: times(10, () => mrkdwn(1)) }],
    pastLimit: [{ type: 'context', elements: times(11, () => mrkdwn(1)) }],
    message: '[ERROR] no more than 10 items allowed [json-pointer:/blocks/0/elements]',
  },
  {
    limit: 'actions: 25 elements',
    source: BLOCK_KIT,
    atLimit: [{ type: 'actions', elements: times(25, (i) => ({ ...button(), action_id: `a${i}` })) }],
    pastLimit: [{ type: 'actions', elements: times(26, (i) => ({ ...button(), action_id: `a${i}` })) }],
    message: '[ERROR] no more than 25 items allowed [json-pointer:/blocks/0/elements]',
  },
  {
    limit: 'button text: 75 characters',
    source: BLOCK_KIT,
    atLimit: [{ type: 'actions', elements: [button({ text: 75 })] }],
    pastLimit: [{ type: 'actions', elements: [button({ text: 76 })] }],
    message: '[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]',
  },
  {
    limit: 'button value: 2,000 characters',
    source: BLOCK_KIT,
    atLimit: [{ type: 'section', text: mrkdwn(1), accessory: button({ value: 2000 }) }],
    pastLimit: [{ type: 'section', text: mrkdwn(1), accessory: button({ value: 2001 }) }],
    message: '[ERROR] must be less than 2001 characters [json-pointer:/blocks/0/accessory/value]',
  },
  {
    limit: 'block_id: 255 characters',
    source: BLOCK_KIT,
    atLimit: [{ type: 'divider', block_id: text(255) }],
    pastLimit: [{ type: 'divider', block_id: text(256) }],
    message: '[ERROR] must be less than 256 characters [json-pointer:/blocks/0/block_id]',
  },
  {
    limit: 'action_id: 255 characters',
    source: BLOCK_KIT,
    atLimit: [{ type: 'actions', elements: [button({ actionId: 255 })] }],
    pastLimit: [{ type: 'actions', elements: [button({ actionId: 256 })] }],
    message: '[ERROR] must be less than 256 characters [json-pointer:/blocks/0/elements/0/action_id]',
  },
  {
    limit: 'static_select: 100 options',
    source: BLOCK_KIT,
    atLimit: [{ type: 'actions', elements: [{ type: 'static_select', action_id: 'pick', options: options(100) }] }],
    pastLimit: [{ type: 'actions', elements: [{ type: 'static_select', action_id: 'pick', options: options(101) }] }],
    message: '[ERROR] no more than 100 items allowed [json-pointer:/blocks/0/elements/0/options]',
  },
];

describe('the fake Slack refuses a breach of a documented Block Kit limit with invalid_blocks', () => {
  test.each(messageLimits)('$limit ($source): chat.postMessage, chat.update and chat.postEphemeral', async (c) => {
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'at the limit', blocks: c.atLimit as never });
    expect(posted.ok).toBe(true);
    const expected = { error: 'invalid_blocks', messages: [c.message] };
    expect(await refusal(client.chat.postMessage({ channel: CHANNEL, text: 'past it', blocks: c.pastLimit as never }))).toEqual(expected);
    expect(
      await refusal(client.chat.update({ channel: CHANNEL, ts: posted.ts ?? '', text: 'past it', blocks: c.pastLimit as never })),
    ).toEqual(expected);
    expect(
      await refusal(client.chat.postEphemeral({ channel: CHANNEL, user: ALICE, text: 'past it', blocks: c.pastLimit as never })),
    ).toEqual(expected);
    // Nothing refused was kept.
    expect(slack.messagesIn(CHANNEL).map((m) => m.text)).toEqual(['at the limit']);
    expect(slack.ephemerals).toEqual([]);
  });

  test('a response_url refuses them too (HTTP 400 with the error and its messages)', async () => {
    const url = slack.responseUrl('R1', { channel: CHANNEL, user: ALICE });
    const post = (blocks: unknown[]) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 't', blocks }) });
    const refused = await post([{ type: 'section', text: mrkdwn(3001) }]);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] },
    });
    expect((await post([{ type: 'section', text: mrkdwn(3000) }])).status).toBe(200);
    expect(slack.ephemeralsFor(ALICE)).toHaveLength(1);
  });
});

describe('views (modals, App Home): Slack answers invalid_arguments, pointing into /view', () => {
  const modal = (fields: Record<string, unknown> = {}) => ({ type: 'modal', title: plain(24), blocks: [], ...fields });
  const cases: Array<{ limit: string; view: Record<string, unknown>; message: string }> = [
    {
      limit: 'modal title: 24 characters',
      view: modal({ title: plain(25) }),
      message: 'must be less than 25 characters [json-pointer:/view/title/text]',
    },
    {
      limit: 'modal submit: 24 characters',
      view: modal({ submit: plain(25) }),
      message: 'must be less than 25 characters [json-pointer:/view/submit/text]',
    },
    {
      limit: 'modal close: 24 characters',
      view: modal({ close: plain(25) }),
      message: 'must be less than 25 characters [json-pointer:/view/close/text]',
    },
    {
      limit: 'private_metadata: 3,000 characters',
      view: modal({ private_metadata: text(3001) }),
      message: 'must be less than 3001 characters [json-pointer:/view/private_metadata]',
    },
    {
      limit: '100 blocks per view',
      view: modal({ blocks: times(101, () => ({ type: 'divider' })) }),
      message: 'no more than 100 items allowed [json-pointer:/view/blocks]',
    },
    {
      limit: 'the block limits apply inside a view',
      view: modal({ blocks: [{ type: 'header', text: plain(151) }] }),
      message: 'must be less than 151 characters [json-pointer:/view/blocks/0/text/text]',
    },
  ];

  test.each(cases)('$limit (Block Kit reference): views.open and views.push', async (c) => {
    expect(await refusal(client.views.open({ trigger_id: 't1', view: c.view as never }))).toEqual({
      error: 'invalid_arguments',
      messages: [`[ERROR] ${c.message}`],
    });
    expect(await refusal(client.views.push({ trigger_id: 't2', view: c.view as never }))).toEqual({
      error: 'invalid_arguments',
      messages: [`[ERROR] ${c.message}`],
    });
    expect(slack.modals).toEqual([]);
  });

  test('views.update and views.publish check the same; 100 blocks fit in a view, not in a message', async () => {
    const hundred = times(100, () => ({ type: 'divider' }));
    const opened = await client.views.open({ trigger_id: 't3', view: modal({ blocks: hundred }) as never });
    expect(opened.ok).toBe(true);
    expect(
      await refusal(client.views.update({ view_id: opened.view?.id ?? '', view: modal({ title: plain(25) }) as never })),
    ).toMatchObject({
      error: 'invalid_arguments',
    });
    await expect(client.views.publish({ user_id: ALICE, view: { type: 'home', blocks: hundred } as never })).resolves.toMatchObject({
      ok: true,
    });
    expect(
      await refusal(client.views.publish({ user_id: ALICE, view: { type: 'home', blocks: [...hundred, { type: 'divider' }] } as never })),
    ).toEqual({ error: 'invalid_arguments', messages: ['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]'] });
    expect(await refusal(client.chat.postMessage({ channel: CHANNEL, text: 't', blocks: hundred as never }))).toMatchObject({
      error: 'invalid_blocks',
    });
  });
});

describe(`msg_blocks_too_long past ${BLOCK_KIT_LIMITS.messageBlocksText} characters of text in a message's blocks (${BOLT_ISSUES})`, () => {
  // What the issues count: the text of every mrkdwn and plain_text object in the blocks (sections, fields, headers, context, buttons).
  const blocksOf = (total: number) => {
    const sections = times(Math.floor((total - 100) / 2400), () => ({ type: 'section', text: mrkdwn(2400) }));
    return [
      { type: 'header', text: plain(100) },
      ...sections,
      { type: 'context', elements: [mrkdwn(total - 100 - sections.length * 2400)] },
    ];
  };

  test('12,000 characters are taken; 12,001 are refused by chat.postMessage, chat.update and a response_url', async () => {
    expect(blocksTextLength(blocksOf(12000))).toBe(12000);
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'long', blocks: blocksOf(12000) as never });
    expect(posted.ok).toBe(true);
    expect(await refusal(client.chat.postMessage({ channel: CHANNEL, text: 'too long', blocks: blocksOf(12001) as never }))).toEqual({
      error: 'msg_blocks_too_long',
      messages: [],
    });
    expect(
      await refusal(client.chat.update({ channel: CHANNEL, ts: posted.ts ?? '', text: 'x', blocks: blocksOf(12001) as never })),
    ).toMatchObject({
      error: 'msg_blocks_too_long',
    });
    const answered = await fetch(slack.responseUrl('R2', { channel: CHANNEL, user: ALICE }), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x', blocks: blocksOf(12001) }),
    });
    expect(answered.status).toBe(400);
    expect(await answered.json()).toEqual({ ok: false, error: 'msg_blocks_too_long' });
  });

  test('the top-level `text` (documented up to 40,000) does not count', async () => {
    await expect(
      client.chat.postMessage({ channel: CHANNEL, text: text(30000), blocks: [{ type: 'section', text: mrkdwn(10) }] }),
    ).resolves.toMatchObject({ ok: true });
  });
});

describe('channel membership: the bot posts only where it was added (scope chat:write, without chat:write.public)', () => {
  test('a public channel without the bot: not_in_channel; a private one or an unknown id: channel_not_found', async () => {
    slack.addChannel({ id: 'C0PUBLIC01', name: 'public', botIsMember: false });
    slack.addChannel({ id: 'C0SECRET01', name: 'secret', isPrivate: true, botIsMember: false });
    expect(await refusal(client.chat.postMessage({ channel: 'C0PUBLIC01', text: 'hi' }))).toEqual({
      error: 'not_in_channel',
      messages: [],
    });
    expect(await refusal(client.chat.postMessage({ channel: '#public', text: 'hi' }))).toEqual({ error: 'not_in_channel', messages: [] });
    expect(await refusal(client.chat.postMessage({ channel: 'C0SECRET01', text: 'hi' }))).toEqual({
      error: 'channel_not_found',
      messages: [],
    });
    expect(await refusal(client.chat.postMessage({ channel: 'C0NOSUCH01', text: 'hi' }))).toEqual({
      error: 'channel_not_found',
      messages: [],
    });
    expect(slack.messages).toEqual([]);
  });

  test('removed and invited again (or joined, for a public channel): conversations.info says so, and posts follow', async () => {
    slack.removeBotFrom(CHANNEL);
    expect((await client.conversations.info({ channel: CHANNEL })).channel).toMatchObject({
      id: CHANNEL,
      name: 'fxa-team',
      is_member: false,
    });
    const posted = await client.chat.postMessage({ channel: ALICE, text: 'a DM is always open' });
    expect(posted.ok).toBe(true);
    expect(await refusal(client.chat.update({ channel: CHANNEL, ts: '1700000000.000100', text: 'x' }))).toMatchObject({
      error: 'message_not_found',
    });
    slack.inviteBot(CHANNEL);
    expect((await client.conversations.info({ channel: CHANNEL })).channel?.is_member).toBe(true);
    await expect(client.chat.postMessage({ channel: CHANNEL, text: 'back' })).resolves.toMatchObject({ ok: true });

    slack.removeBotFrom(CHANNEL);
    await expect(client.conversations.join({ channel: CHANNEL })).resolves.toMatchObject({ ok: true, channel: { is_member: true } });
    await expect(client.chat.postMessage({ channel: '#fxa-team', text: 'joined' })).resolves.toMatchObject({ ok: true });
    const listed = await client.conversations.list({ types: 'public_channel' });
    expect(listed.channels?.map((c) => c.name)).toEqual(['fxa-team']);
  });
});
