/**
 * Deciding patch requests end to end: who may decide, Approve (the first plans
 * dot release 302.3 and announces it; double clicks approve once), ride-alongs
 * updating the announcement in main order, Decline with a reason, Ask for more
 * information, Withdraw (and decisions on a withdrawn request), reminders to
 * the owner then the admins (once each), Slack failing during delivery, and
 * what `/release patches` and `/release status` show.
 */
import { loadDotReleasePlan } from '../../src/patches/patch-store';
import type { FakeSlackMessage, FakeSlackView } from '../fakes/slack-server';
import { stateValue } from '../fakes/slack-client';
import {
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  CHANNEL,
  dmsOf,
  ENGINEER,
  eventually,
  everythingPosted,
  NOW,
  openRequestModal,
  OTHER,
  press,
  requestPatch,
  startScene,
  submitRequest,
  teamCopy,
  type Scene,
} from './helpers';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const S1 = { reason: 's1-bug', bugUrl: 'https://bugzilla.mozilla.org/show_bug.cgi?id=1' };

describe('deciding patch requests', () => {
  let scene: Scene;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    scene = await startScene();
    ids.first = await requestPatch(scene, ENGINEER, { items: scene.afterCut[2], ...S1 });
    ids.second = await requestPatch(scene, OTHER, {
      items: scene.afterCut[3],
      reason: 'test-failure',
      bugUrl: 'https://ci.example.com/run/9',
    });
  });
  afterAll(async () => {
    await scene.close();
  });

  const prisma = () => scene.h.bot.database.prisma;
  const request = (id: number) =>
    prisma().patchRequest.findUniqueOrThrow({ where: { id }, include: { decisions: { orderBy: { id: 'asc' } } } });
  /** The copy of request `id` in a list of messages. */
  const copyOf = (messages: FakeSlackMessage[], id: number): FakeSlackMessage => {
    const found = messages.find((m) => m.text.startsWith(`Patch request #${id} for train`));
    if (!found) throw new Error(`no copy of patch request #${id}`);
    return found;
  };
  const announcements = () => scene.h.slack.messagesIn(CHANNEL).filter((m) => /^Planning train/.test(m.text));

  async function openDecisionModal(userId: string, actionId: string, id: number, message: FakeSlackMessage): Promise<FakeSlackView> {
    const { h } = scene;
    const opened = h.slack.callsTo('views.open').length;
    await press(h, userId, actionId, String(id), message, false);
    await h.slack.waitForCalls('views.open', opened + 1);
    return h.slack.modals.at(-1) as FakeSlackView;
  }

  async function submitDecisionModal(userId: string, modal: FakeSlackView, text: string) {
    const reply = await scene.h.sender.sendViewSubmission(
      scene.h.sender.viewSubmissionPayload({
        userId,
        callbackId: modal.callback_id,
        viewId: modal.id,
        privateMetadata: modal.private_metadata,
        values: { text: { value: stateValue.text(text) } },
      }),
    );
    return reply.json() as { response_action: string; errors?: Record<string, string>; view?: { blocks: unknown[] } };
  }

  test('someone who is neither the owner nor an admin is told why not, and nothing changes', async () => {
    const { h } = scene;
    const post = teamCopy(h, ids.first as number);
    expect(await press(h, CAROL, 'patch_approve', String(ids.first), post)).toBe(
      `:warning: Only <@${BOB}>, the owner of train 302, or an admin can decide patch requests for train 302.`,
    );
    const opened = h.slack.callsTo('views.open').length;
    expect(await press(h, CAROL, 'patch_decline', String(ids.first), post)).toContain(
      'Only <@U0BOB0001>, the owner of train 302, or an admin',
    );
    expect(h.slack.callsTo('views.open')).toHaveLength(opened);
    expect(h.slack.responses.at(-1)?.body.response_type).toBe('ephemeral');
    expect(await request(ids.first as number)).toMatchObject({ status: 'pending', decisions: [] });
  });

  test('the owner approves (a double click approves once): dot release 302.3 is planned and announced, the requester told', async () => {
    const { h } = scene;
    const id = ids.first as number;
    const ownerCopy = copyOf(dmsOf(h, BOB), id);
    const before = h.slack.responses.length;
    await Promise.all([
      press(h, BOB, 'patch_approve', String(id), ownerCopy, false),
      press(h, BOB, 'patch_approve', String(id), ownerCopy, false),
    ]);
    const replies = (await h.slack.waitForResponses(before + 2)).slice(before).map((r) => String(r.body.text));
    expect(replies.sort()).toEqual(
      [
        `:white_check_mark: Approved patch request #${id}. Dot release *302.3* \`v1.302.3\` is now planned and announced in the team channel.`,
        `Patch request #${id} was already approved by <@${BOB}>; nothing changed.`,
      ].sort(),
    );

    const stored = await request(id);
    expect(stored).toMatchObject({ status: 'approved', decidedBy: BOB });
    expect(stored.decisions.map((d) => [d.kind, d.actor])).toEqual([['approve', BOB]]);
    // v1.302.2 is the highest patch (v1.302.5-rc1 does not count): the plan is 302.3, with all execution needs.
    const plans = await prisma().dotRelease.findMany();
    expect(plans).toEqual([
      expect.objectContaining({
        train: 302,
        patch: 3,
        tag: 'v1.302.3',
        branch: 'train-302',
        status: 'planned',
        openTrain: 302,
        plannedBy: BOB,
      }),
    ]);
    expect(await prisma().auditEvent.count({ where: { action: 'patch.approve' } })).toBe(1);
    expect(await prisma().auditEvent.count({ where: { action: 'patch.plan' } })).toBe(1);

    const [announcement] = await eventually(async () => (announcements().length > 0 ? announcements() : undefined));
    expect(announcements()).toHaveLength(1);
    expect(announcement?.text).toBe('Planning train 302.3 (v1.302.3): 1 commit so far');
    const blocks = JSON.stringify(announcement?.blocks);
    expect(blocks).toContain('*Planning train 302.3*');
    expect(blocks).toContain('Stop the 2FA prompt looping');
    expect(blocks).toMatch(/"action_id":"patch_ride_along".*"value":"302"/);
    // The requester has her DM: the channel names her in the list, it does not ping her about her own request.
    expect(blocks).toContain(`request #${id} by engineer`);
    expect(blocks).not.toContain(`<@${ENGINEER}>`);

    // The requester hears the outcome; every copy loses its buttons and says who approved.
    const outcome = await eventually(async () => dmsOf(h, ENGINEER).find((m) => m.text.startsWith(`Your patch request #${id}`)));
    expect(outcome.text).toContain(`Approved by <@${BOB}>`);
    expect(outcome.text).toContain('dot release *302.3* (`v1.302.3`)');
    for (const copy of [teamCopy(h, id), copyOf(dmsOf(h, BOB), id), copyOf(dmsOf(h, ENGINEER), id)]) {
      expect(JSON.stringify(copy.blocks)).not.toMatch(/patch_approve|patch_withdraw/);
      expect(JSON.stringify(copy.blocks)).toContain(`Approved by <@${BOB}>`);
    }
  });

  test('a ride-along is welcome once the dot release is planned; an admin approves it and the announcement is updated, in main order', async () => {
    const { h } = scene;
    const [announcement] = announcements();
    const updates = h.slack.callsTo('views.update').length;
    await press(h, ENGINEER, 'patch_ride_along', '302', announcement as FakeSlackMessage, false);
    await h.slack.waitForCalls('views.update', updates + 1);
    const modal = h.slack.modals.at(-1) as FakeSlackView;
    const initial = (block: string) =>
      (modal.blocks as Array<{ block_id?: string; element?: { initial_option?: { value: string } } }>).find((b) => b.block_id === block)
        ?.element?.initial_option?.value;
    expect([initial('train'), initial('reason')]).toEqual(['302', 'ride-along']);
    expect(JSON.stringify(modal.blocks)).toContain('dot release *302.3* is planned (ride-alongs welcome)');

    const posts = h.slack.callsTo('chat.postMessage').length;
    const answer = await submitRequest(h, modal, ENGINEER, { items: scene.afterCut[0], reason: 'ride-along' });
    expect(answer.response_action).toBe('update');
    await h.slack.waitForCalls('chat.postMessage', posts + 3);
    const rideAlong = (await prisma().patchRequest.findFirstOrThrow({ where: { reason: 'ride-along' } })).id;
    ids.rideAlong = rideAlong;

    const chatUpdates = h.slack.callsTo('chat.update').length;
    expect(await press(h, ADMIN, 'patch_approve', String(rideAlong), teamCopy(h, rideAlong))).toBe(
      `:white_check_mark: Approved patch request #${rideAlong}: it joins dot release *302.3* \`v1.302.3\`.`,
    );
    await eventually(async () => h.slack.callsTo('chat.update').some((c, i) => i >= chatUpdates && c.args.ts === announcement?.ts));
    expect(announcements()).toHaveLength(1);
    const updated = announcements()[0] as FakeSlackMessage;
    expect(updated.text).toBe('Planning train 302.3 (v1.302.3): 2 commits so far');
    const text = JSON.stringify(updated.blocks);
    // The ride-along's commit is older on main: it is picked first.
    expect(text.indexOf('Fix the login loop on Safari')).toBeGreaterThan(-1);
    expect(text.indexOf('Fix the login loop on Safari')).toBeLessThan(text.indexOf('Stop the 2FA prompt looping'));

    const plan = await loadDotReleasePlan(prisma(), (await prisma().dotRelease.findFirstOrThrow()).id);
    expect(plan?.commits.map((c) => [c.sha, c.mainOrder, c.requestId, c.requestedBy])).toEqual([
      [scene.afterCut[0], 1, rideAlong, ENGINEER],
      [scene.afterCut[2], 3, ids.first, ENGINEER],
    ]);
    expect(plan?.requests.map((r) => [r.id, r.approvedBy])).toEqual([
      [ids.first, BOB],
      [rideAlong, ADMIN],
    ]);
  });

  test('Decline asks for a reason in a modal; the requester is told why, escaped; a later Approve changes nothing', async () => {
    const { h } = scene;
    const id = ids.second as number;
    const modal = await openDecisionModal(BOB, 'patch_decline', id, copyOf(dmsOf(h, BOB), id));
    expect(modal.callback_id).toBe('patch_decline');
    const empty = await submitDecisionModal(BOB, modal, '  ');
    expect(empty).toEqual({ response_action: 'errors', errors: { text: 'A reason is required: the requester needs to know why.' } });
    expect((await request(id)).status).toBe('pending');

    const done = await submitDecisionModal(BOB, modal, 'Flaky, not legitimate <!here>: it rides 303.');
    expect(done.response_action).toBe('update');
    expect(JSON.stringify(done.view?.blocks)).toContain(`Declined patch request #${id}.`);
    expect(await request(id)).toMatchObject({
      status: 'declined',
      decidedBy: BOB,
      decisionReason: 'Flaky, not legitimate <!here>: it rides 303.',
    });
    const told = await eventually(async () => dmsOf(h, OTHER).find((m) => m.text.startsWith(`Your patch request #${id}`)));
    expect(told.text).toContain(`Declined by <@${BOB}>`);
    expect(told.text).toContain('Flaky, not legitimate &lt;!here&gt;: it rides 303.');
    expect(everythingPosted(h)).not.toContain('<!here>');

    expect(await press(h, BOB, 'patch_approve', String(id), copyOf(dmsOf(h, BOB), id))).toBe(
      `Patch request #${id} was already declined by <@${BOB}>; nothing changed.`,
    );
    expect((await request(id)).decisions.map((d) => d.kind)).toEqual(['decline']);
  });

  test('Ask for more information sends the question to the requester; the request stays open', async () => {
    const { h } = scene;
    ids.asked = await requestPatch(scene, ENGINEER, { items: scene.afterCut[1], train: '301', ...S1 });
    const id = ids.asked;
    // Train 301 is Alice's, and in production: her copy says so.
    const aliceCopy = copyOf(dmsOf(h, ALICE), id);
    expect(JSON.stringify(aliceCopy.blocks)).toContain('was in production when this was asked');
    const modal = await openDecisionModal(ALICE, 'patch_ask', id, aliceCopy);
    expect(modal.callback_id).toBe('patch_question');
    const sent = await submitDecisionModal(ALICE, modal, 'Does this also need the config change from #77?');
    expect(JSON.stringify(sent.view?.blocks)).toContain(`Sent your question to <@${ENGINEER}>`);
    const question = await eventually(async () => dmsOf(h, ENGINEER).find((m) => m.text.includes('needs more information')));
    expect(question.text).toContain(
      `<@${ALICE}> needs more information about your patch request #${id} for train 301:\n> Does this also need the config change from #77?`,
    );
    expect(await request(id)).toMatchObject({
      status: 'pending',
      decisions: [expect.objectContaining({ kind: 'question', actor: ALICE, text: 'Does this also need the config change from #77?' })],
    });
  });

  test('only the requester may withdraw; a decision on a withdrawn request decides nothing', async () => {
    const { h } = scene;
    const id = ids.asked as number;
    expect(await press(h, OTHER, 'patch_withdraw', String(id), teamCopy(h, id))).toBe(
      `:warning: Only <@${ENGINEER}>, who asked for patch request #${id}, can withdraw it.`,
    );
    const aliceCopy = copyOf(dmsOf(h, ALICE), id);
    const declineModal = await openDecisionModal(ALICE, 'patch_decline', id, aliceCopy);
    expect(await press(h, ENGINEER, 'patch_withdraw', String(id), copyOf(dmsOf(h, ENGINEER), id))).toBe(
      `:leftwards_arrow_with_hook: You withdrew patch request #${id}.`,
    );
    expect(await press(h, ALICE, 'patch_approve', String(id), aliceCopy)).toBe(
      `Patch request #${id} was withdrawn by its requester; there is nothing to decide.`,
    );
    // The decline modal opened before the withdrawal: submitting it changes nothing either.
    const late = await submitDecisionModal(ALICE, declineModal, 'Not needed in production.');
    expect(JSON.stringify(late.view?.blocks)).toContain('was withdrawn by its requester; there is nothing to decide.');
    expect(await request(id)).toMatchObject({ status: 'withdrawn', decidedBy: ENGINEER });
    expect((await request(id)).decisions.map((d) => d.kind)).toEqual(['question', 'withdraw']);
    await eventually(async () => !JSON.stringify(copyOf(dmsOf(h, ALICE), id).blocks).includes('patch_approve'));
    expect(JSON.stringify(copyOf(dmsOf(h, ALICE), id).blocks)).toContain(`Withdrawn by <@${ENGINEER}>`);
  });

  test('an undecided request comes back to the owner, later to the admins, once each', async () => {
    const { h } = scene;
    const id = await requestPatch(scene, OTHER, { items: scene.afterCut[3], train: '301', ...S1 });
    const created = (await request(id)).createdAt.getTime();
    const tick = (ms: number) => h.bot.app.scheduler.tick(new Date(created + ms));
    const reminders = (userId: string) =>
      dmsOf(h, userId).filter(
        (m) => m.text.includes(`Patch request #${id} for train 301 has waited`) || m.text.startsWith(':alarm_clock:'),
      );

    await tick(3 * HOUR);
    expect(reminders(ALICE)).toHaveLength(0);
    await tick(4 * HOUR + 5 * MINUTE);
    expect(reminders(ALICE).map((m) => m.text)).toEqual([
      `:alarm_clock: Reminder: patch request #${id} for train 301 has waited 4 hours for your decision.`,
    ]);
    expect(JSON.stringify(reminders(ALICE)[0]?.blocks)).toContain('patch_approve');
    await tick(4 * HOUR + 20 * MINUTE);
    await tick(10 * HOUR);
    expect(reminders(ALICE)).toHaveLength(1);
    expect(reminders(ADMIN)).toHaveLength(0);

    await tick(24 * HOUR + 5 * MINUTE);
    await tick(24 * HOUR + 20 * MINUTE);
    expect(reminders(ADMIN).map((m) => m.text)).toEqual([
      `:rotating_light: Patch request #${id} for train 301 has waited 24 hours without a decision from <@${ALICE}>, the train's owner. As an admin you can decide it.`,
    ]);
    const thread = h.slack.messagesIn(CHANNEL).filter((m) => m.thread_ts === teamCopy(h, id).ts);
    expect(thread.map((m) => m.text)).toEqual([`<@${ADMIN}>: this request has waited 24 hours without a decision.`]);
    expect(await prisma().auditEvent.count({ where: { action: 'patch.remind-owner' } })).toBe(1);
    expect(await prisma().auditEvent.count({ where: { action: 'patch.escalate' } })).toBe(1);
    expect(await request(id)).toMatchObject({ status: 'pending' });
    ids.reminded = id;
  });

  test('Slack failing while a request is delivered: it is kept, and the next sweep delivers it', async () => {
    const { h } = scene;
    const modal = await openRequestModal(h, CAROL);
    const posts = h.slack.callsTo('chat.postMessage').length;
    h.slack.failNext('chat.postMessage', { error: 'internal_error' });
    const answer = await submitRequest(h, modal, CAROL, { items: scene.afterCut[1], ...S1 });
    expect(JSON.stringify(answer.view?.blocks)).toContain('is on its way');
    const [failed] = (await h.slack.waitForCalls('chat.postMessage', posts + 1)).slice(posts);
    await eventually(async () => failed?.response !== undefined);
    expect(failed?.response?.body).toEqual({ ok: false, error: 'internal_error' });
    // Give the delivery a moment to (not) go on after the failure.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stored = await prisma().patchRequest.findFirstOrThrow({ where: { requestedBy: CAROL } });
    expect(stored).toMatchObject({ status: 'pending', deliveredAt: null, ownerTs: null, teamTs: null });
    expect(h.slack.callsTo('chat.postMessage')).toHaveLength(posts + 1);

    await h.bot.app.scheduler.tick(new Date(new Date(NOW).getTime() + 2 * HOUR + 7 * MINUTE));
    const delivered = await prisma().patchRequest.findUniqueOrThrow({ where: { id: stored.id } });
    expect(delivered.deliveredAt).not.toBeNull();
    expect(dmsOf(h, BOB).filter((m) => m.text.startsWith(`Patch request #${stored.id} for train`))).toHaveLength(1);
    expect(teamCopy(h, stored.id).text).toContain('needs a decision');
    ids.late = stored.id;
  });

  test('`/release patches` lists requests and decisions; `/release status` shows the planned dot release and what waits', async () => {
    const { h } = scene;
    const run = async (text: string) => {
      const before = h.slack.responses.length;
      await h.sender.sendSlashCommand({ text, userId: OTHER });
      await h.slack.waitForResponses(before + 1);
      return h.slack.responses[before]?.body ?? {};
    };
    const listed = String((await run('patches 302')).text);
    expect(listed).toContain('*Patch requests for train 302*');
    expect(listed).toContain('*Dot release 302.3* `v1.302.3` (planned), 2 commit(s) in pick order');
    expect(listed).toContain(`*#${ids.first}* train 302, *approved*, from <@${ENGINEER}>`);
    expect(listed).toContain(`↳ <@${BOB}> approved`);
    expect(listed).toContain(`*#${ids.second}* train 302, *declined*`);
    expect(listed).toContain(`↳ <@${BOB}> declined on`);
    expect(listed).toContain('Flaky, not legitimate &lt;!here&gt;: it rides 303.');
    expect(listed).not.toContain('train 301');
    const all = String((await run('patches')).text);
    expect(all).toContain(`*#${ids.asked}* train 301, *withdrawn*`);
    expect(all).toContain(`↳ <@${ALICE}> asked on`);
    expect(String((await run('patches soon')).text)).toContain('Give a train number such as `302`, not `soon`.');

    const status = JSON.stringify((await run('status')).blocks);
    expect(status).toContain('*Dot releases planned:* *302.3* (`v1.302.3`, 2 requests)');
    expect(status).toContain('*Patch requests waiting for a decision:* 2');
    expect(status).toContain(`#${ids.reminded} for train 301 from <@${OTHER}>`);
    expect(status).toContain('patch_request_open');
  });

  test('GitHub failing when the first approval of a train needs its tags: nothing is decided; the retry plans 301.2', async () => {
    const { h } = scene;
    const id = ids.reminded as number;
    const aliceCopy = copyOf(dmsOf(h, ALICE), id);
    h.github.injectFault({ status: 502 }, { times: Infinity, match: (r) => r.path.includes('/git/matching-refs/') });
    try {
      expect(await press(h, ALICE, 'patch_approve', String(id), aliceCopy)).toBe(
        ':warning: GitHub is not answering (HTTP 502). Nothing was changed; try again in a moment.',
      );
    } finally {
      h.github.clearFaults();
    }
    expect(await request(id)).toMatchObject({ status: 'pending', decisions: [] });
    expect(await prisma().dotRelease.count({ where: { train: 301 } })).toBe(0);
    // v1.301.1 is the highest tag of train 301.
    expect(await press(h, ALICE, 'patch_approve', String(id), aliceCopy)).toContain('Dot release *301.2* `v1.301.2` is now planned');
    expect(
      await prisma().dotRelease.findMany({ where: { openTrain: { not: null } }, orderBy: { train: 'asc' }, select: { tag: true } }),
    ).toEqual([{ tag: 'v1.301.2' }, { tag: 'v1.302.3' }]);
  });
});
