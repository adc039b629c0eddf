/**
 * `/release request-patch`: the modal (where each train is, the production
 * warning), its validation against GitHub and the database (every bad input
 * on its field, nothing stored), GitHub failing, double submission, and a
 * good request reaching the owner and the team channel, escaped.
 */
import { PATCH_REQUEST_TRAIN_ACTION } from '../../src/patches/request-view';
import type { FakeSlackView } from '../fakes/slack-server';
import {
  BOB,
  CHANNEL,
  dmsOf,
  ENGINEER,
  eventually,
  everythingPosted,
  JUSTIFICATION,
  openRequestModal,
  requestCount,
  sceneForAll,
  submitRequest,
} from './helpers';

describe('/release request-patch', () => {
  const scene = sceneForAll();
  const stored = () => requestCount(scene);

  test('the modal opens at once, then lists the trains with where each is; the train on stage is the default', async () => {
    const { h } = scene;
    const modal = await openRequestModal(h, ENGINEER);
    const [opened] = h.slack.callsTo('views.open');
    expect(JSON.stringify(opened?.args.view)).toContain('Looking up where the trains are');
    const blocks = JSON.stringify(modal.blocks);
    expect(blocks).toContain('Train 302 (on stage)');
    expect(blocks).toContain('Train 301 (in production)');
    expect(blocks).not.toContain('Train 300 (');
    expect(blocks).toContain('Train 303 is building on `main`');
    expect(blocks).toContain('Wed 18 Nov, 10:00 PT / 13:00 ET / 18:00 UTC');
    const select = (modal.blocks as Array<{ block_id?: string; element?: { initial_option?: { value: string } } }>).find(
      (b) => b.block_id === 'train',
    );
    expect(select?.element?.initial_option?.value).toBe('302');
    expect(blocks).not.toContain('is in production.*');
    expect(modal.submit).toMatchObject({ text: 'Send request' });
  });

  test('picking the train in production warns that its dot release reaches production soon after the tag', async () => {
    const { h } = scene;
    const modal = await openRequestModal(h, ENGINEER);
    const updates = h.slack.callsTo('views.update').length;
    await h.sender.sendBlockActions(
      h.sender.blockActionsPayload({
        userId: ENGINEER,
        actionId: PATCH_REQUEST_TRAIN_ACTION,
        actionType: 'static_select',
        blockId: 'train',
        selectedOption: { text: { type: 'plain_text', text: 'Train 301' }, value: '301' },
        view: { id: modal.id, hash: modal.hash, private_metadata: modal.private_metadata, callback_id: modal.callback_id },
      }),
    );
    await h.slack.waitForCalls('views.update', updates + 1);
    const redrawn = JSON.stringify(h.slack.view(modal.id)?.blocks);
    expect(redrawn).toContain('Train 301 is in production.');
    expect(redrawn).toContain('reaches production soon after it is tagged');
    expect(redrawn).toContain('a fix picked onto 301 must reach 302 too');
  });

  test('`/release request-patch 301` opens it on train 301; a word that is not a train is refused', async () => {
    const { h } = scene;
    const modal = await openRequestModal(h, ENGINEER, 'request-patch 301');
    expect(JSON.stringify(modal.blocks)).toContain('Train 301 is in production.');
    const before = h.slack.responses.length;
    await h.sender.sendSlashCommand({ text: 'request-patch next', userId: ENGINEER });
    await h.slack.waitForResponses(before + 1);
    expect(h.slack.responses[before]?.body.text).toContain('Give a train number such as `302`, not `next`.');
    // A trigger Slack no longer accepts (the 3 seconds passed): the person is told to try again.
    await h.sender.sendSlashCommand({ text: 'request-patch', userId: ENGINEER, triggerId: 'expired' });
    await h.slack.waitForResponses(before + 2);
    expect(h.slack.responses[before + 1]?.body.text).toContain('window for opening the form closed before I could open it');
  });

  describe('bad input is refused on its field; the modal stays open and nothing is stored', () => {
    let modal: FakeSlackView;
    beforeAll(async () => {
      modal = await openRequestModal(scene.h, ENGINEER);
    });

    const cases: Array<[string, () => Parameters<typeof submitRequest>[3], string, RegExp]> = [
      [
        'a malformed SHA',
        () => ({ items: 'xyz123' }),
        'items',
        /xyz123 is neither a commit SHA \(7 to 40 hex characters\) nor a pull request link/,
      ],
      ['a SHA too short', () => ({ items: 'abc12' }), 'items', /abc12 is too short for a commit SHA/],
      [
        'a SHA that is no commit of the repository',
        () => ({ items: 'deadbeefdeadbeef' }),
        'items',
        /deadbeefdeadbeef is not a commit of mozilla\/fxa/,
      ],
      ['a SHA not on main', () => ({ items: scene.unmerged }), 'items', /is not on main: patches must land on main first/],
      [
        'a pull request not merged',
        () => ({ items: `https://github.com/mozilla/fxa/pull/${scene.openPr}` }),
        'items',
        /#\d+ is not merged yet: patches must land on main first/,
      ],
      [
        'a pull request of another repository',
        () => ({ items: 'https://github.com/mozilla/other-repo/pull/5' }),
        'items',
        /is in mozilla\/other-repo; only mozilla\/fxa can be patched/,
      ],
      [
        'a commit link of another repository',
        () => ({ items: `https://github.com/someone/fxa/commit/${scene.afterCut[0]}` }),
        'items',
        /is in someone\/fxa; only mozilla\/fxa can be patched/,
      ],
      [
        'a commit already in the train',
        () => ({ items: scene.beforeCut }),
        'items',
        /is already in train 302 \(it was on main before the cut\)/,
      ],
      ['no commits at all', () => ({ items: '  ' }), 'items', /Give at least one commit SHA or pull request link/],
      [
        'an empty justification',
        () => ({ items: scene.afterCut[0], justification: '   ' }),
        'justification',
        /A justification is required/,
      ],
      [
        'a justification too short',
        () => ({ items: scene.afterCut[0], justification: 'Broken.' }),
        'justification',
        /at least 30 characters \(you wrote 7\)/,
      ],
      ['a bug link that is not a URL', () => ({ items: scene.afterCut[0], bugUrl: 'bug 1234' }), 'bug_url', /must be a link/],
      ['an S1 bug without a link', () => ({ items: scene.afterCut[0], reason: 's1-bug' }), 'bug_url', /Link the S1 bug/],
      ['no train picked', () => ({ items: scene.afterCut[0], train: null }), 'train', /Pick the train to patch/],
      [
        'a train that is not cut yet',
        () => ({ items: scene.afterCut[0], train: '303' }),
        'train',
        /Train 303 has not been cut \(mozilla\/fxa has no tag v1\.303\.0\)/,
      ],
      ['a train that does not exist', () => ({ items: scene.afterCut[0], train: '9999' }), 'train', /Train 9999 has not been cut/],
      [
        'a train too old to be patched',
        () => ({ items: scene.afterCut[0], train: '300' }),
        'train',
        /Train 300 no longer takes patches: train 302 has been cut since, and only the latest 2 trains are patched/,
      ],
      [
        'a ride-along with no dot release planned',
        () => ({ items: scene.afterCut[0], reason: 'ride-along' }),
        'reason',
        /No dot release of train 302 is planned/,
      ],
    ];

    test.each(cases)('%s', async (_name, input, field, message) => {
      const answer = await submitRequest(scene.h, modal, ENGINEER, input());
      expect(answer.response_action).toBe('errors');
      expect(answer.errors?.[field]).toMatch(message);
      expect(await stored()).toBe(0);
      expect(scene.h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    });

    test('several problems are shown together, each on its field', async () => {
      const answer = await submitRequest(scene.h, modal, ENGINEER, {
        items: `abc12 ${scene.unmerged}`,
        justification: 'short',
        bugUrl: 'nope',
      });
      expect(Object.keys(answer.errors ?? {}).sort()).toEqual(['bug_url', 'items', 'justification']);
      expect(answer.errors?.items).toMatch(/abc12 is too short/);
      expect(await stored()).toBe(0);
    });
  });

  describe('GitHub failing during validation', () => {
    afterEach(() => {
      scene.h.github.clearFaults();
    });

    test('GitHub answering 502: the modal says it cannot check now and keeps what was typed', async () => {
      const { h } = scene;
      const modal = await openRequestModal(h, ENGINEER);
      h.github.injectFault({ status: 502 }, { times: Infinity });
      const answer = await submitRequest(h, modal, ENGINEER, { items: scene.afterCut[0] });
      expect(answer.response_action).toBe('errors');
      expect(answer.errors?.items).toMatch(
        /I cannot check these commits with GitHub right now \(GitHub is not answering \(HTTP 502\)\)\. Nothing was sent and what you typed is kept/,
      );
      expect(await stored()).toBe(0);
    });

    test('GitHub not answering: the answer still comes within Slack’s 3 seconds', async () => {
      const { h } = scene;
      const modal = await openRequestModal(h, ENGINEER);
      h.github.injectFault({ hang: true }, { times: Infinity });
      const answer = await submitRequest(h, modal, ENGINEER, { items: scene.afterCut[0] });
      // GitHub never answers; an answer with errors at all means it came in time: past 3 s,
      // Bolt would already have answered 404 for the listener (as Slack gives up then).
      expect(answer.errors?.items).toMatch(/GitHub did not answer within 2 seconds/);
      expect(await stored()).toBe(0);
    });

    test('GitHub down when the modal opens: it says so and has nothing to submit', async () => {
      const { h } = scene;
      h.github.injectFault({ status: 503 }, { times: Infinity, match: (request) => request.path === '/graphql' });
      const modal = await openRequestModal(h, ENGINEER);
      expect(JSON.stringify(modal.blocks)).toContain('I cannot look up the trains right now: GitHub is not answering (HTTP 503).');
      expect(modal.submit).toBeUndefined();
    });
  });

  describe('a good request', () => {
    let modal: FakeSlackView;
    const sneaky = `${JUSTIFICATION} <!channel> ping <@U0ALICE01> & <https://evil.example|click>`;

    test('is stored with every field and goes to the owner (DM) and the team channel, escaped', async () => {
      const { h } = scene;
      modal = await openRequestModal(h, ENGINEER);
      const posts = h.slack.callsTo('chat.postMessage').length;
      const answer = await submitRequest(h, modal, ENGINEER, {
        items: `${scene.afterCut[2]?.slice(0, 9)}\nhttps://github.com/mozilla/fxa/pull/${scene.mergedPr}, ${scene.afterCut[0]}`,
        reason: 's1-bug',
        justification: sneaky,
        bugUrl: 'https://bugzilla.mozilla.org/show_bug.cgi?id=1234',
        impact: 'Safari users stay locked out for two more weeks.',
        verified: true,
      });
      expect(answer.response_action).toBe('update');
      expect(JSON.stringify(answer.view?.blocks)).toContain(
        `Patch request #1 for train 302 is on its way to <@${BOB}>, the owner of train 302.`,
      );
      await h.slack.waitForCalls('chat.postMessage', posts + 3);

      const stored = await eventually(() =>
        h.bot.database.prisma.patchRequest
          .findUniqueOrThrow({ where: { id: 1 }, include: { commits: { orderBy: { position: 'asc' } } } })
          .then((row) => (row.deliveredAt ? row : undefined)),
      );
      expect(stored).toMatchObject({
        train: 302,
        requestedBy: ENGINEER,
        reason: 's1-bug',
        justification: sneaky,
        bugUrl: 'https://bugzilla.mozilla.org/show_bug.cgi?id=1234',
        impact: 'Safari users stay locked out for two more weeks.',
        verifiedOnMain: true,
        status: 'pending',
        viewId: modal.id,
        trainWhere: 'on stage',
        ownerAtRequest: BOB,
      });
      // The SHA and the PR name the same merge commit: kept once. Main order is counted from the cut.
      expect(stored.commits.map((c) => [c.sha, c.source, c.pullRequest, c.mainOrder])).toEqual([
        [scene.afterCut[2], 'sha', null, 3],
        [scene.afterCut[0], 'sha', null, 1],
      ]);
      const audit = await h.bot.database.prisma.auditEvent.findFirstOrThrow({ where: { action: 'patch.request' } });
      expect(audit).toMatchObject({ actor: ENGINEER, subject: 'train:302' });
      expect(audit.details).toMatchObject({
        request: 1,
        reason: 's1-bug',
        justification: sneaky,
        commits: [scene.afterCut[2], scene.afterCut[0]],
      });

      // The owner by DM (conversations.open), with the decision buttons.
      expect(h.slack.callsTo('conversations.open').map((c) => c.args.users)).toEqual(expect.arrayContaining([BOB, ENGINEER]));
      const [toOwner] = dmsOf(h, BOB);
      const ownerCopy = JSON.stringify(toOwner?.blocks);
      for (const action of ['patch_approve', 'patch_decline', 'patch_ask']) expect(ownerCopy).toContain(action);
      expect(ownerCopy).toContain('Fix the login loop on Safari');
      expect(ownerCopy).toContain('Stop the 2FA prompt looping');
      // The team channel names the owner and the requester (each has a DM: one notification per person), with Withdraw too.
      const [post] = h.slack.messagesIn(CHANNEL);
      expect(post?.text).toBe('Patch request #1 for train 302 from engineer needs a decision.');
      expect(JSON.stringify(post?.blocks)).toContain('patch_withdraw');
      const mentions = (m: typeof post) => `${m?.text ?? ''}${JSON.stringify(m?.blocks ?? [])}`.match(/<@U[0-9A-Z]+>/g) ?? [];
      expect(mentions(post)).toEqual([]);
      expect(JSON.stringify(post?.blocks)).toContain('bob (owner of train 302) or an admin decides.');
      // The owner is notified once: by her DM (one message).
      expect(dmsOf(h, BOB)).toHaveLength(1);
      // The requester's copy has only Withdraw, and does not ping them about their own request.
      const [mine] = dmsOf(h, ENGINEER);
      expect(JSON.stringify(mine?.blocks)).toContain('patch_withdraw');
      expect(JSON.stringify(mine?.blocks)).not.toContain('patch_approve');
      expect(mine?.text).toBe('Patch request #1 for train 302 from you');
      expect(mentions(mine)).not.toContain(`<@${ENGINEER}>`);
      // What the requester typed cannot ping anyone or forge a link.
      const posted = everythingPosted(h);
      expect(posted).toContain('&lt;!channel&gt; ping &lt;@U0ALICE01&gt; &amp; &lt;https://evil.example|click&gt;');
      expect(posted).not.toContain('<!channel>');
      expect(posted).not.toContain('<https://evil.example');
    });

    test('the same commits already requested for the train are pointed out, not requested twice', async () => {
      const { h } = scene;
      const again = await openRequestModal(h, BOB);
      const answer = await submitRequest(h, again, BOB, { items: `https://github.com/mozilla/fxa/pull/${scene.mergedPr}` });
      expect(answer.errors?.items).toMatch(/is already requested for train 302 in patch request #1 \(pending\)/);
      expect(await stored()).toBe(1);
    });

    test('double submission of the modal stores one request and posts it once', async () => {
      const { h } = scene;
      const twice = await openRequestModal(h, ENGINEER);
      const posts = h.slack.callsTo('chat.postMessage').length;
      const input = { items: scene.afterCut[3] };
      const answers = await Promise.all([submitRequest(h, twice, ENGINEER, input), submitRequest(h, twice, ENGINEER, input)]);
      expect(answers.map((a) => a.response_action)).toEqual(['update', 'update']);
      const texts = answers.map((a) => JSON.stringify(a.view?.blocks));
      expect(texts.filter((t) => t.includes('is on its way'))).toHaveLength(1);
      expect(texts.filter((t) => t.includes('already sent as patch request #2'))).toHaveLength(1);
      expect(await h.bot.database.prisma.patchRequest.count({ where: { viewId: twice.id } })).toBe(1);
      await h.slack.waitForCalls('chat.postMessage', posts + 3);
      // A third press, later, is answered the same way.
      const late = await submitRequest(h, twice, ENGINEER, input);
      expect(JSON.stringify(late.view?.blocks)).toContain('already sent as patch request #2');
      expect(h.slack.callsTo('chat.postMessage')).toHaveLength(posts + 3);
      expect(await stored()).toBe(2);
    });
  });
});
