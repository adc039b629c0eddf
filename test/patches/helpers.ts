/**
 * A release scene for patch-request tests: the whole bot (harness) with a
 * fake GitHub holding trains 300 to 302 and commits after the cut, fake stage
 * (train 302) and production (train 301), and a roster that makes Bob the
 * owner of train 302 and Alice of train 301.
 */
import { ADMIN, ALICE, BOB, CAROL, CHANNEL, importTeam, TEAM_SETTINGS } from '../support/team';
import type { FakeSlackMessage, FakeSlackView } from '../fakes/slack-server';
import { stateValue, type SlackStateValue } from '../fakes/slack-client';
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';
import { startHarness, type Harness, type HarnessOptions } from '../support/harness';

export { ADMIN, ALICE, BOB, CAROL, CHANNEL } from '../support/team';
export const ENGINEER = 'U0ENGIN01';
export const OTHER = 'U0OTHER01';
/** Tuesday 10 November 2026, 10:00 PT: train 303 is building, 302 (cut 4 November) is on stage, 301 in production. */
export const NOW = '2026-11-10T18:00:00Z';

export interface Scene {
  h: Harness;
  environments: FakeEnvironments;
  /** Commits on main after train 302 was cut, oldest first. */
  afterCut: string[];
  /** A commit on main before train 302 was cut (so already in it). */
  beforeCut: string;
  /** A commit on a branch that was never merged. */
  unmerged: string;
  /** Merged PR (its merge commit is `afterCut[2]`) and an open one. */
  mergedPr: number;
  openPr: number;
  close(): Promise<void>;
}

export async function startScene(
  options: {
    settings?: Record<string, unknown>;
    /** More harness options (e.g. `socketMode` and its `slack`: the same scene in Socket Mode). */
    harness?: Omit<HarnessOptions, 'now' | 'settings'>;
  } = {},
): Promise<Scene> {
  const environments = await startFakeEnvironments({ stage: '1.302.0', production: 'v1.301.1' });
  const h = await startHarness({
    ...options.harness,
    now: NOW,
    settings: {
      ...TEAM_SETTINGS,
      stageVersionUrl: environments.stageUrl,
      productionVersionUrl: environments.productionUrl,
      ...options.settings,
    },
  });
  const { github } = h;
  // main: 300 cut, 301 cut, 302 cut, then work for 303.
  const [c300, , c301, beforeCut, c302] = github.addCommits(5);
  github.setBranch('main', c302 as string);
  github.addTag('v1.300.0', c300 as string, { annotated: true });
  github.addTag('v1.301.0', c301 as string, { annotated: true });
  github.addTag('v1.302.0', c302 as string, { annotated: true });
  // Dot releases already made: 301.1, and 302.2 (numbers may skip); a hyphenated tag that never counts.
  github.addTag('v1.301.1', github.addCommit({ parents: [c301 as string], message: 'Cherry-pick onto train-301' }), { annotated: true });
  github.addTag('v1.302.2', github.addCommit({ parents: [c302 as string], message: 'Cherry-pick onto train-302' }), { annotated: true });
  github.addTag('v1.302.5-rc1', c302 as string);
  const first = github.addCommit({ parents: [c302 as string], message: 'Fix the login loop on Safari' });
  const second = github.addCommit({ parents: [first], message: 'Fix <b>the</b> & sign-up race' });
  github.setBranch('main', second);
  const merged = github.addPullRequest({ title: 'Stop the 2FA prompt looping', authorLogin: 'dev-one' });
  const mergeSha = github.mergePullRequest(merged.number);
  const fourth = github.addCommit({ parents: [mergeSha], message: 'Refactor the settings page' });
  github.setBranch('main', fourth);
  const open = github.addPullRequest({ title: 'Still in review', authorLogin: 'dev-two' });
  const unmerged = github.addCommit({ parents: [second], message: 'Experiment on a branch' });

  await importTeam(h, {
    people: { [ADMIN]: 'admin', [ALICE]: 'alice', [BOB]: 'bob', [CAROL]: 'carol', [ENGINEER]: 'engineer', [OTHER]: 'other' },
    rotation: [ALICE, BOB, CAROL],
    startTrain: 301,
    actor: ADMIN,
  });
  return {
    h,
    environments,
    afterCut: [first, second, mergeSha, fourth],
    beforeCut: beforeCut as string,
    unmerged,
    mergedPr: merged.number,
    openPr: open.number,
    async close() {
      await h.close();
      await environments.close();
    },
  };
}

/**
 * The scene for a whole test file: started in beforeAll, closed in afterAll.
 * Its fields are read at use, in a test or a later hook.
 */
export function sceneForAll(options: Parameters<typeof startScene>[0] = {}): Scene {
  let current: Scene | undefined;
  const started = (): Scene => {
    if (!current) throw new Error('sceneForAll: the scene starts in beforeAll; use it in a test or in a later hook');
    return current;
  };
  beforeAll(async () => {
    current = await startScene(options);
  });
  afterAll(async () => {
    await current?.close();
  });
  return {
    get h() {
      return started().h;
    },
    get environments() {
      return started().environments;
    },
    get afterCut() {
      return started().afterCut;
    },
    get beforeCut() {
      return started().beforeCut;
    },
    get unmerged() {
      return started().unmerged;
    },
    get mergedPr() {
      return started().mergedPr;
    },
    get openPr() {
      return started().openPr;
    },
    close: () => started().close(),
  };
}

/** How many patch requests are stored. */
export function requestCount(scene: Pick<Scene, 'h'>): Promise<number> {
  return scene.h.bot.database.prisma.patchRequest.count();
}

/** Runs `/release <text>` and waits for the modal to be filled in (views.open, then views.update). */
export async function openRequestModal(h: Harness, userId: string, text = 'request-patch'): Promise<FakeSlackView> {
  const updates = h.slack.callsTo('views.update').length;
  const reply = await h.sender.sendSlashCommand({ text, userId });
  expect(reply.status).toBe(200);
  await h.slack.waitForCalls('views.update', updates + 1);
  const modal = h.slack.modals.at(-1);
  if (!modal) throw new Error('no modal was opened');
  return modal;
}

export interface FormInput {
  train?: string | null;
  items?: string;
  reason?: string | null;
  justification?: string;
  bugUrl?: string;
  impact?: string;
  verified?: boolean;
}

export const JUSTIFICATION = 'Users on Safari cannot sign in at all: the login page reloads forever.';

/** The modal's state values as Slack sends them. */
export function formValues(input: FormInput): Record<string, Record<string, SlackStateValue | string>> {
  const train = input.train === undefined ? '302' : input.train;
  const reason = input.reason === undefined ? 'other' : input.reason;
  return {
    train: { patch_request_train: stateValue.staticSelect(train, train ? `Train ${train}` : '') },
    items: { value: stateValue.text(input.items ?? '') },
    reason: { value: stateValue.staticSelect(reason) },
    justification: { value: stateValue.text(input.justification ?? JUSTIFICATION) },
    bug_url: { value: stateValue.url(input.bugUrl ?? null) },
    impact: { value: stateValue.text(input.impact ?? null) },
    verified: { value: stateValue.checkboxes(input.verified ? ['yes'] : []) },
  };
}

export type SubmitAnswer = {
  response_action?: string;
  errors?: Record<string, string>;
  view?: { blocks?: unknown[]; title?: { text?: string } };
};

/** Submits the request modal (`modal` gives its id and metadata) and returns Slack's answer (the ack body). */
export async function submitRequest(h: Harness, modal: FakeSlackView, userId: string, input: FormInput): Promise<SubmitAnswer> {
  const reply = await h.sender.sendViewSubmission(
    h.sender.viewSubmissionPayload({
      userId,
      callbackId: modal.callback_id,
      viewId: modal.id,
      privateMetadata: modal.private_metadata,
      values: formValues(input),
    }),
  );
  expect(reply.status).toBe(200);
  return reply.json() as SubmitAnswer;
}

/** Opens the modal, submits a valid request and waits for its three messages (owner, channel, requester). Returns its id. */
export async function requestPatch(scene: Pick<Scene, 'h'>, userId: string, input: FormInput): Promise<number> {
  const { h } = scene;
  const modal = await openRequestModal(h, userId);
  const posts = h.slack.callsTo('chat.postMessage').length;
  const answer = await submitRequest(h, modal, userId, input);
  expect(answer.errors).toBeUndefined();
  const id = Number(/Patch request #(\d+)/.exec(JSON.stringify(answer.view?.blocks))?.[1]);
  await h.slack.waitForCalls('chat.postMessage', posts + 3);
  return id;
}

/** Presses a button on a message as `userId`; returns the ephemeral reply's text when one comes. */
export async function press(
  h: Harness,
  userId: string,
  actionId: string,
  value: string,
  message: FakeSlackMessage,
  waitForReply = true,
): Promise<string> {
  const before = h.slack.responses.length;
  const reply = await h.sender.sendBlockActions(
    h.sender.blockActionsPayload({ userId, actionId, value, channelId: message.channel, messageTs: message.ts, message: { ...message } }),
  );
  expect(reply.status).toBe(200);
  if (!waitForReply) return '';
  await h.slack.waitForResponses(before + 1);
  return String(h.slack.responses[before]?.body.text ?? '');
}

/** The team channel's copy of request `id`. */
export function teamCopy(h: Harness, id: number): FakeSlackMessage {
  const message = h.slack.messagesIn(CHANNEL).find((m) => !m.thread_ts && new RegExp(`Patch request #${id} for train`).test(m.text));
  if (!message) throw new Error(`no channel post for patch request #${id}`);
  return message;
}

/** Messages in the DM between the bot and `userId`. */
export function dmsOf(h: Harness, userId: string): FakeSlackMessage[] {
  return h.slack.messagesIn(h.slack.dmChannelFor(userId));
}

/** Everything the bot posted or updated, as one string. */
export function everythingPosted(h: Harness): string {
  return JSON.stringify(h.slack.messages);
}

/** Polls `check` until it returns a value other than undefined/false (work after Slack's answer goes on in the background). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
