/**
 * GitHub requests one cut costs from the dispatch to the CI result, with the
 * fake GitHub playing a tagging run of 3 minutes and CI finishing 30 simulated
 * minutes after the dispatch; the clock is fake and the watcher job is ticked
 * every simulated minute. Once polling (no webhook secret), once with webhooks
 * (each change on GitHub delivered as GitHub would).
 *
 * Each case runs in a bot of its own (a fresh schema), so that the settings
 * differ and the shared benchmark bot is left alone.
 */
import { randomUUID } from 'node:crypto';
import { checkRunPayload, sendWebhook, workflowRunPayload } from '../../test/fakes/github-webhooks';
import { arrangeTaggingRepository, finishTagRun, runsOf, setCi, TAG_WORKFLOW } from '../../test/fakes/tag-release-workflow';
import { startHarness, type Harness } from '../../test/support/harness';
import type { BenchContext } from '../context';
import type { BenchSection, Figure, SectionResult, Target } from '../figures';

const ADMIN = 'U0BENCHADM';
const CHANNEL = 'C0BENCH001';
/** Train 303's cutoff has passed (Wednesday 18 November 2026, 10:30 PT). */
const NOW = '2026-11-18T18:30:00Z';
const SECRET = 'bench-webhook-secret-0123456789';
const MINUTE = 60_000;
/** Simulated minutes after the dispatch. */
const RUN_STARTS = 1;
const RUN_ENDS = 3;
const CI_STARTS = 5;
const CI_ENDS = 30;
/** Give up if no result this long after the dispatch (the polling cap is 5 minutes). */
const HORIZON = 60;

export interface TaggingCaseResult {
  requests: number;
  /** Simulated minutes from CI finishing to the bot knowing. */
  delayMinutes: number;
  operations: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, read: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`tagging bench: timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function settle(h: Harness): Promise<void> {
  await waitFor('the bot to finish its work', () => (h.bot.app.deps.inFlight.size === 0 ? true : undefined));
}

function buttonValue(body: Record<string, unknown>, actionId: string): string | undefined {
  for (const block of (body.blocks ?? []) as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>) {
    for (const element of block.elements ?? []) if (element.action_id === actionId) return element.value;
  }
  return undefined;
}

/** `/release tag` then Confirm, as an admin; resolves once the dispatch is recorded. */
async function cut(h: Harness): Promise<void> {
  const commandId = `bench-tag-${randomUUID()}`;
  await h.sender.sendSlashCommand({
    text: 'tag',
    userId: ADMIN,
    channelId: CHANNEL,
    responseUrl: h.slack.responseUrl(commandId, { channel: CHANNEL, user: ADMIN }),
  });
  const confirmation = await waitFor('the confirmation', () => h.slack.responsesTo(commandId)[0]?.body);
  const value = buttonValue(confirmation, 'tag_confirm');
  if (!value) throw new Error(`tagging bench: no Confirm button in ${JSON.stringify(confirmation)}`);
  const actionId = `bench-confirm-${randomUUID()}`;
  await h.sender.sendBlockActions(
    h.sender.blockActionsPayload({
      userId: ADMIN,
      actionId: 'tag_confirm',
      value,
      channelId: CHANNEL,
      responseUrl: h.slack.responseUrl(actionId, { channel: CHANNEL, user: ADMIN }),
    }),
  );
  const reply = await waitFor('the answer to Confirm', () => h.slack.responsesTo(actionId)[0]?.body);
  if (!String(reply.text).includes('Dispatched')) throw new Error(`tagging bench: the cut was not dispatched: ${String(reply.text)}`);
  await settle(h);
}

async function stateOf(h: Harness): Promise<string | undefined> {
  const row = await h.bot.database.prisma.tagRelease.findUnique({ where: { train_patch: { train: 303, patch: 0 } } });
  return row?.state;
}

/** One cut, from the dispatch to the CI result, minute by simulated minute. */
export async function measureCut(options: { webhooks: boolean }): Promise<TaggingCaseResult> {
  const h = await startHarness({
    settings: { announcementChannel: CHANNEL, admins: { users: [ADMIN] } },
    now: NOW,
    ...(options.webhooks ? { env: { GITHUB_WEBHOOK_SECRET: SECRET } } : {}),
  });
  try {
    arrangeTaggingRepository(h.github);
    const url = `${h.bot.url}/github/webhooks`;
    const deliver = async (event: string, payload: unknown): Promise<void> => {
      if (!options.webhooks) return;
      const status = await sendWebhook({ url, secret: SECRET, event, payload });
      if (status !== 202) throw new Error(`tagging bench: the webhook answered HTTP ${status}`);
      await settle(h);
    };
    await cut(h);
    const dispatchIndex = h.github.requests.findIndex((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));
    if (dispatchIndex < 0) throw new Error('tagging bench: no dispatch reached GitHub');
    const [run] = runsOf(h.github, TAG_WORKFLOW);
    if (!run) throw new Error('tagging bench: the dispatch started no run');
    await deliver('workflow_run', workflowRunPayload(h.github, run, 'requested'));
    let sha: string | null = null;
    let checkId: number | null = null;
    const check = () => h.github.checkRuns.find((r) => r.id === checkId);
    for (let minute = 1; minute <= HORIZON; minute++) {
      h.clock.advance(MINUTE);
      const at = h.clock.now();
      if (minute === RUN_STARTS) {
        h.github.updateWorkflowRun(run.id, { status: 'in_progress', updatedAt: at.toISOString() });
        await deliver('workflow_run', workflowRunPayload(h.github, run, 'in_progress'));
      }
      if (minute === RUN_ENDS) {
        const tagged = finishTagRun(h.github, run, 'success', at);
        if (!tagged) throw new Error('tagging bench: the run cut nothing');
        sha = tagged.sha;
        await deliver('workflow_run', workflowRunPayload(h.github, run, 'completed'));
        checkId = setCi(h.github, sha, 'queued');
        const queued = check();
        if (queued) await deliver('check_run', checkRunPayload(h.github, queued, 'created'));
      }
      if (minute === CI_STARTS && sha) setCi(h.github, sha, 'in_progress');
      if (minute === CI_ENDS && sha) {
        setCi(h.github, sha, 'completed', 'success');
        const done = check();
        if (done) await deliver('check_run', checkRunPayload(h.github, done, 'completed'));
      }
      await h.bot.app.scheduler.tick(at);
      await settle(h);
      const state = await stateOf(h);
      if (state === 'ci_passed' || state === 'ci_failed') {
        const used = h.github.requests.slice(dispatchIndex);
        const counts = new Map<string, number>();
        for (const r of used) {
          const key = `${r.method} ${r.path.replace(/\/[0-9a-f]{40}\b/, '/{sha}').replace(/\/runs\/\d+/, '/runs/{id}')}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return {
          requests: used.length,
          delayMinutes: minute - CI_ENDS,
          operations: [...counts].map(([op, n]) => `${n}× ${op}`).join(', '),
        };
      }
    }
    throw new Error(`tagging bench: no CI result ${HORIZON} simulated minutes after the dispatch (state ${String(await stateOf(h))})`);
  } finally {
    await h.close();
  }
}

export function taggingPollingSection(): BenchSection {
  return {
    title: 'GitHub requests per cut, dispatch to CI result (CI finishing after 30 simulated minutes)',
    async run(context: BenchContext): Promise<SectionResult> {
      const figures: Figure[] = [];
      const targets: Target[] = [];
      const notes: string[] = [];
      for (const [mode, webhooks, limit] of [
        ['polling', false, 40],
        ['webhooks', true, 5],
      ] as const) {
        context.progress(`one cut watched by ${mode}`);
        const result = await measureCut({ webhooks });
        const key = `tagging_github_requests_${mode}`;
        figures.push(
          { key, label: `GitHub requests, dispatch to CI result (${mode})`, value: result.requests, unit: '', decimals: 0 },
          {
            key: `tagging_ci_result_delay_${mode}_min`,
            label: `Simulated minutes from CI finishing to the bot knowing (${mode})`,
            value: result.delayMinutes,
            unit: 'min',
            decimals: 0,
          },
        );
        targets.push({ figureKey: key, description: `≤ ${limit} GitHub requests per cut with ${mode}`, comparison: '<=', limit });
        notes.push(`${mode}: ${result.operations}`);
      }
      notes.push(
        `Timeline: dispatch at 0, run in progress at ${RUN_STARTS} min, tag pushed at ${RUN_ENDS} min, CI in progress at ${CI_STARTS} min, CI finished at ${CI_ENDS} min; the watcher job ticks every simulated minute.`,
      );
      return { figures, targets, notes };
    },
  };
}
