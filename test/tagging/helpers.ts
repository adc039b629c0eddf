/** Shared set-up of the tagging tests: a team, a roster, a repository with two trains cut, and ways to press things. */
import { flushNotices } from '../../src/tagging/notices';
import { ADMIN, ALICE, BOB, CAROL, CHANNEL, importTeam, TEAM_SETTINGS } from '../support/team';
import { randomUUID } from 'node:crypto';
import type { FakeSlackMessage } from '../fakes/slack-server';
import { arrangeTaggingRepository, TAG_WORKFLOW, theTagRun } from '../fakes/tag-release-workflow';
import { sendWebhook } from '../fakes/github-webhooks';
import { startHarness, type Harness } from '../support/harness';

export { ADMIN, ALICE, BOB, CAROL, CHANNEL } from '../support/team';
export const MINUTE = 60_000;
/** Wednesday 18 November 2026, 10:30 PT: train 303's cutoff has passed (the calendar is on 304). */
export const AFTER_CUTOFF = '2026-11-18T18:30:00Z';
export const SETTINGS = TEAM_SETTINGS;

/** Alice owns train 303, Bob 304, Carol 305; the repository's latest train is 302. */
export async function arrangeTeam(h: Harness): Promise<string> {
  await importTeam(h, {
    people: { [ADMIN]: 'admin', [ALICE]: 'alice', [BOB]: 'bob', [CAROL]: 'carol' },
    rotation: [ALICE, BOB, CAROL],
    startTrain: 303,
    actor: ADMIN,
  });
  return arrangeTaggingRepository(h.github);
}

export async function startTaggingHarness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  return startHarness({ settings: SETTINGS, now: AFTER_CUTOFF, ...options });
}

type Body = Record<string, unknown>;

/** `/release tag` as `userId`: the ephemeral reply. */
export async function askToTag(h: Harness, userId: string): Promise<Body> {
  const id = `cmd-${randomUUID()}`;
  const reply = await h.sender.sendSlashCommand({
    text: 'tag',
    userId,
    channelId: CHANNEL,
    responseUrl: h.slack.responseUrl(id, { channel: CHANNEL, user: userId }),
  });
  if (reply.status !== 200) throw new Error(`/release tag answered HTTP ${reply.status}`);
  const [response] = await waitForResponse(h, id);
  return response ?? {};
}

async function waitForResponse(h: Harness, id: string, timeoutMs = 8000): Promise<Body[]> {
  const deadline = Date.now() + timeoutMs;
  while (h.slack.responsesTo(id).length === 0) {
    if (Date.now() > deadline) throw new Error(`no response to ${id} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return h.slack.responsesTo(id).map((r) => r.body);
}

/** Presses a button (on an ephemeral message, or on `message` in the channel) and returns the first reply. */
export async function press(
  h: Harness,
  userId: string,
  actionId: string,
  value: string | undefined,
  message?: FakeSlackMessage,
): Promise<Body> {
  const id = `act-${randomUUID()}`;
  const channel = message?.channel ?? CHANNEL;
  const payload = h.sender.blockActionsPayload({
    userId,
    actionId,
    ...(value !== undefined ? { value } : {}),
    channelId: channel,
    ...(message ? { messageTs: message.ts, message: { ...message } } : {}),
    responseUrl: h.slack.responseUrl(id, { channel, user: userId, ...(message ? { ts: message.ts } : {}) }),
  });
  const reply = await h.sender.sendBlockActions(payload);
  if (reply.status !== 200) throw new Error(`the button answered HTTP ${reply.status}`);
  const [response] = await waitForResponse(h, id);
  return response ?? {};
}

/** The value of the button `actionId` in a message's blocks. */
export function buttonValue(body: Body | FakeSlackMessage, actionId: string): string | undefined {
  const blocks = (body as { blocks?: unknown[] }).blocks ?? [];
  for (const block of blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>) {
    for (const element of block.elements ?? []) if (element.action_id === actionId) return element.value;
  }
  return undefined;
}

export function textOf(body: Body | FakeSlackMessage): string {
  return `${String((body as { text?: unknown }).text ?? '')}\n${JSON.stringify((body as { blocks?: unknown }).blocks ?? [])}`;
}

/** Waits until the bot has no work in flight (webhooks and button presses finish after their answer). */
export async function settle(h: Harness, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (h.bot.app.deps.inFlight.size > 0) {
    if (Date.now() > deadline) throw new Error('the bot still had work in flight');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The ts of the latest message: what `threadReplies(h, since)` counts from. */
export function lastTs(h: Harness): string {
  return h.slack.messages.at(-1)?.ts ?? '0';
}

/** Messages posted in threads of the team channel (the train threads) after `since`, oldest first. */
/**
 * The thread as of the next flush of the notice outbox: once the bot's work in
 * flight is done, pending notices are posted (a flush that found another one
 * busy leaves them to the next: at most a tick later in production).
 */
export async function repliesNow(h: Harness, since = '0'): Promise<FakeSlackMessage[]> {
  await settle(h);
  await flushNotices({ deps: h.bot.app.deps, now: h.clock.now() });
  return threadReplies(h, since);
}

export function threadReplies(h: Harness, since = '0'): FakeSlackMessage[] {
  return h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts !== undefined && m.thread_ts !== m.ts && Number(m.ts) > Number(since));
}

/** Moves the clock by `minutes` and runs the scheduler's tick (the watcher among its jobs). */
export async function tick(h: Harness, minutes = 1): Promise<void> {
  // A minute later, a button's own work (and its flush of the notices, which a
  // concurrent flush would leave to the next one) has long finished.
  await settle(h);
  h.clock.advance(minutes * MINUTE);
  const report = await h.bot.app.scheduler.tick(h.clock.now());
  const failed = report.failed.filter((f) => f.job === 'tag-watch');
  if (failed.length > 0) throw new Error(`the watcher failed: ${failed.map((f) => f.error).join('; ')}`);
}

/** The release row of train 303's cut. */
export function cutOf(h: Harness, train = 303) {
  return h.bot.database.prisma.tagRelease.findUnique({ where: { train_patch: { train, patch: 0 } } });
}

/** `/release tag` as `userId`: the confirmation and the value of its Confirm button. */
export async function confirmation(h: Harness, userId = ALICE): Promise<{ body: Body; value: string }> {
  const body = await askToTag(h, userId);
  const value = buttonValue(body, 'tag_confirm');
  if (!value) throw new Error(`no Confirm button in ${textOf(body)}`);
  return { body, value };
}

/** `/release tag` and Confirm as Alice; returns the reply to Confirm. */
export async function cutTrain(h: Harness, userId = ALICE): Promise<Body> {
  const { value } = await confirmation(h, userId);
  return press(h, userId, 'tag_confirm', value);
}

/**
 * The team arranged, then `/release tag` and Confirm as Alice: returns the
 * timestamp of the channel's last message before the cut (replies come after
 * it) and the tagging run the dispatch started.
 */
export async function startCut(h: Harness): Promise<{ mark: string; run: ReturnType<typeof theTagRun> }> {
  await arrangeTeam(h);
  const mark = lastTs(h);
  await cutTrain(h);
  return { mark, run: theTagRun(h.github) };
}

/** Forgets any cut of train 303, on GitHub and in the bot, and puts main back at `mainHead`. */
export async function forgetCut(h: Harness, mainHead: string): Promise<void> {
  await settle(h);
  await h.bot.database.prisma.tagRelease.deleteMany({});
  await h.bot.database.prisma.trainThread.deleteMany({});
  h.github.workflowDispatches.length = 0;
  h.github.workflowRuns.clear();
  h.github.tags.delete('v1.303.0');
  h.github.branches.delete('train-303');
  h.github.clearFaults();
  h.github.setBranch('main', mainHead);
  if (!h.github.findWorkflow(TAG_WORKFLOW)) h.github.addWorkflow(TAG_WORKFLOW, { inputs: {}, createRunOnDispatch: true });
}

/** The webhook secret of the tagging tests that receive GitHub's deliveries. */
export const WEBHOOK_SECRET = 'webhook-secret-of-the-tests-0123';

/** A harness receiving GitHub webhooks, with the team arranged; `deliver` sends one (accepted) and waits for its work. */
export async function startWebhookHarness(
  settings: Record<string, unknown> = SETTINGS,
): Promise<{ h: Harness; deliver: (event: string, payload: unknown) => Promise<void> }> {
  const h = await startHarness({ settings, now: AFTER_CUTOFF, env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  await arrangeTeam(h);
  const url = `${h.bot.url}/github/webhooks`;
  const deliver = async (event: string, payload: unknown) => {
    const status = await sendWebhook({ url, secret: WEBHOOK_SECRET, event, payload });
    if (status !== 202) throw new Error(`the webhook ${event} answered HTTP ${status}`);
    await settle(h);
  };
  return { h, deliver };
}

/** `/release <text>` as `userId`: the text (and blocks) of the ephemeral answer. */
export async function ask(h: Harness, userId: string, text: string): Promise<string> {
  const id = `cmd-${randomUUID()}`;
  const reply = await h.sender.sendSlashCommand({
    text,
    userId,
    channelId: CHANNEL,
    responseUrl: h.slack.responseUrl(id, { channel: CHANNEL, user: userId }),
  });
  if (reply.status !== 200) throw new Error(`/release ${text} answered HTTP ${reply.status}`);
  const [response] = await waitForResponse(h, id);
  return textOf(response ?? {});
}
