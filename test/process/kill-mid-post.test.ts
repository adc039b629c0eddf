/**
 * Issue 13: a post interrupted mid-way is exactly once in effect, on real
 * processes. The bot is SIGKILLed while Slack is posting a message (the fake
 * Slack holds chat.postMessage, and posts it once the process is gone, as
 * Slack does with a request it received); the restarted bot finishes the
 * acked work, finds the message in the conversation by the ledger key in its
 * metadata, and adopts it instead of posting it again or leaving it
 * unconfirmed. Before the fix it stayed "sending" (unconfirmed) for good.
 *
 * The poster here is a patch request's outcome DM (sent by the owner's
 * Approve; after the restart, the replayed Approve finds the decision taken,
 * and the patch sweep, every minute here, sends what is undelivered: up to a
 * minute's wait); every
 * poster goes through the same messenger.postOnce.
 */
import { startRecoveringBot } from '../support/kill-points';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processHarnessForAll } from '../support/process-harness';
import { rowsIn, waitFor } from '../support/schema-sql';

jest.setTimeout(180_000);

const OWNER = 'U0MPOWNER1';
const REQUESTER = 'U0MPREQST1';
const TRAIN = 302;

describe('killed while Slack was posting a DM', () => {
  const h = processHarnessForAll('kill-mid-post');
  const settingsPath = path.join(mkdtempSync(path.join(tmpdir(), 'kill-mid-post-')), 'settings.json');
  writeFileSync(settingsPath, JSON.stringify({ patchRequests: { checkEveryMinutes: 1 } }));
  const env = { CONDUCTOR_CONFIG: settingsPath };

  test('the patch outcome DM reached Slack after the SIGKILL: the new process adopts it; one DM, confirmed, one answer', async () => {
    h.slack.addUser({ id: OWNER, name: 'owner' });
    h.slack.addUser({ id: REQUESTER, name: 'requester' });
    const first = await h.startBot(env);
    const requestId = await arrangePatchRequest(h.schema);
    const dm = h.slack.dmChannelFor(REQUESTER);

    // Slack holds the outcome DM for a few seconds (only that post: a job's post at start-up passes by).
    const toRequester = (args: Record<string, unknown>) => args.channel === dm || args.channel === REQUESTER;
    h.slack.failNext('chat.postMessage', { delayMs: 4_000 }, { when: toRequester });
    const reply = await first.sender.sendBlockActions(
      first.sender.blockActionsPayload({
        userId: OWNER,
        actionId: 'patch_approve',
        value: String(requestId),
        channelId: h.slack.dmChannelFor(OWNER),
        responseUrl: h.slack.responseUrl('approve'),
      }),
    );
    expect(reply.status).toBe(200);
    await waitFor(() => (h.slack.callsTo('chat.postMessage').some((call) => toRequester(call.args)) ? true : undefined));
    expect(h.slack.pendingFaults('chat.postMessage')).toBe(0);
    first.bot.child.kill('SIGKILL');
    await first.bot.exited;
    // Slack posts it anyway, the process gone.
    await waitFor(() => (h.slack.messagesIn(dm).some((m) => m.text?.startsWith(`Your patch request #${requestId}`)) ? true : undefined));
    const [left] = await rowsIn<{ status: string }>(h.schema, `SELECT status FROM slack_messages WHERE key LIKE '%outcome%'`);
    expect(left).toEqual({ status: 'sending' });
    // The patch sweep leaves a decision alone for its first minute (the Approve may still be telling): that minute has passed.
    await rowsIn(h.schema, `UPDATE patch_requests SET "decidedAt" = "decidedAt" - interval '2 minutes'`);

    await startRecoveringBot(h, env);
    await waitFor(async () => {
      const pending = await rowsIn(h.schema, "SELECT key FROM slack_intents WHERE status <> 'done'");
      const [told] = await rowsIn(h.schema, 'SELECT 1 FROM patch_requests WHERE "outcomeSentAt" IS NOT NULL');
      return pending.length === 0 && told && h.slack.responsesTo('approve').length > 0 ? true : undefined;
    }, 100_000);
    const told = h.slack.messagesIn(dm).filter((m) => m.text?.startsWith(`Your patch request #${requestId}`));
    expect(told).toHaveLength(1);
    const [ledger] = await rowsIn<{ status: string; ts: string }>(
      h.schema,
      `SELECT status, ts FROM slack_messages WHERE key LIKE '%outcome%'`,
    );
    expect(ledger).toEqual({ status: 'sent', ts: told[0]?.ts });
    const [request] = await rowsIn(h.schema, 'SELECT status, "outcomeSentAt" IS NOT NULL AS told FROM patch_requests');
    expect(request).toEqual({ status: 'approved', told: true });
    const answers = h.slack.responsesTo('approve');
    expect(answers).toHaveLength(1);
    expect(JSON.stringify(answers[0]?.body)).toContain(`#${requestId}`);
  });
});

async function arrangePatchRequest(schema: string): Promise<number> {
  const now = new Date().toISOString();
  await rowsIn(
    schema,
    `INSERT INTO train_assignments (train, "slackUserId", source, "createdAt", "updatedAt") VALUES ($1, $2, 'override', $3, $3)`,
    [TRAIN, OWNER, now],
  );
  const sha = 'c'.repeat(40);
  const [request] = await rowsIn<{ id: number }>(
    schema,
    `INSERT INTO patch_requests (train, "requestedBy", reason, justification, "verifiedOnMain", "rawItems", status, "viewId", "trainWhere",
     "ownerAtRequest", "createdAt", "updatedAt")
     VALUES ($1, $2, 'other', 'Users on Safari cannot sign in.', true, $3, 'pending', 'V0MIDPOST1', 'on stage', $4, $5, $5) RETURNING id`,
    [TRAIN, REQUESTER, sha, OWNER, now],
  );
  if (!request) throw new Error('no patch request');
  await rowsIn(
    schema,
    `INSERT INTO patch_request_commits ("requestId", train, sha, title, source, input, "mainOrder", position)
     VALUES ($1, $2, $3, 'Fix the login loop on Safari', 'sha', $3, 1, 0)`,
    [request.id, TRAIN, sha],
  );
  return request.id;
}
