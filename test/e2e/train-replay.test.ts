/**
 * Issue 15 "Done when": one train replayed end to end through the real HTTP
 * server, with the fake Slack and the fake GitHub, the clock driven by the
 * test: roster, kickoff, check-in, two sweeps, the last call, the cutoff, a
 * late merge, the tag (cut anyway), a CI failure, known flaky and a re-run,
 * green, stage, a yellow QA sign-off, production. Each step asserts what
 * the channel, the train's thread and the DMs show, against the team's
 * document (release-owner-duties.md): check in a day or two before, ping
 * authors 1-3 hours before, tell the team you tag at 10:00 PT / 13:00 ET and
 * ask for missing deploy notes, watch the tag action and CI, post a failure
 * in #fxa-team, QA yellow: ask engineering management (maybe a dot release).
 * Steps 1 and 2 of the document too: a PR labelled as a release blocker shown
 * in the last call (it lands before the cutoff), and the special steps for SRE
 * sent to SRE (a user group, `sreContact`) at the cutoff and again at the tag.
 * Nobody has tagged a quarter of an hour after the cutoff: the owner is chased.
 * Then the dot release: an engineer requests a patch for 303 through the form,
 * the owner approves it, "Planning train 303.1", the owner runs it from Slack
 * (picked onto train-303 and tagged v1.303.1 in a real repository: a bare
 * remote in a temporary directory, its history mirrored into the fake GitHub),
 * CI on the tag, the requester told, production. Then train 304 is cut (its
 * "Made it" is what is new since 303's cut, not the PR cut into 303 anyway), a
 * fix for production becomes 303.2 and its forward port 304.1, both run from
 * Slack. Last, the whole transcript: nothing posted twice, nobody mentioned in a
 * list item of a channel message but the one asked to act.
 */
import { importRoster } from '../../src/rotation/roster-store';
import { PATCH_APPROVE_ACTION } from '../../src/patches/patch-messages';
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';
import { IMAGE_WORKFLOW, rerunCi, runsOf, setCi, succeedTagRun, TAG_WORKFLOW, theTagRun } from '../fakes/tag-release-workflow';
import { createGitFixture, type GitFixture } from '../git/fixture';
import { announcement, mirrorToGitHub, remoteLog, runFromSlack } from '../dot-release/scene';
import { dmsOf, ENGINEER, press as pressOn, requestPatch, teamCopy } from '../patches/helpers';
import type { FakeSlackMessage } from '../fakes/slack-server';
import { startHarness, type Harness } from '../support/harness';
import { blocksText, dmsWith, press as pressAnswer, tickAt } from '../reminders/cutoff-day';
import {
  ADMIN,
  ALICE,
  ask,
  askToTag,
  BOB,
  buttonValue,
  CAROL,
  CHANNEL,
  confirmation,
  cutOf,
  lastTs,
  press,
  repliesNow,
  SETTINGS,
  textOf,
  tick,
} from '../tagging/helpers';

jest.setTimeout(240_000);

const MANAGER = 'U0MANAGER1';
/** SRE's Slack user group (`sreContact`). */
const SRE = 'S0FXASRE1';
const MINUTE = 60_000;
const CUTOFF = new Date('2026-11-18T18:00:00Z');
const CHECK_IN = new Date('2026-11-17T18:00:00Z');
const SWEEP_1 = new Date(CUTOFF.getTime() - 180 * MINUTE);
const SWEEP_2 = new Date(CUTOFF.getTime() - 60 * MINUTE); // also the last call (60 minutes before)
const at = (instant: Date, minutes = 1) => new Date(instant.getTime() + minutes * MINUTE);
const mentions = (m: FakeSlackMessage | undefined): string[] => `${m?.text ?? ''}${blocksText(m)}`.match(/<@U[0-9A-Z]+>/g) ?? [];
/** The mrkdwn a person reads in a message: its text and its blocks' texts (sections, fields, context). */
const mrkdwnOf = (m: FakeSlackMessage): string[] => {
  type Text = { text?: string };
  type Block = { text?: Text; fields?: Text[]; elements?: Text[] };
  const blocks = (m.blocks ?? []) as Block[];
  const texts = blocks.flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text)]);
  return [m.text, ...texts].filter((t): t is string => typeof t === 'string');
};
const topLevel = (h: Harness) => h.slack.messagesIn(CHANNEL).filter((m) => !m.thread_ts || m.thread_ts === m.ts);

/**
 * The repository as a real git history in a bare remote (what the bot clones for a dot release), mirrored into
 * the fake GitHub: trains 301 and 302 cut, then three changes on main.
 */
function writeHistory(fixture: GitFixture): void {
  const c301 = fixture.commit('Train 301 work', { 'a.txt': 'one\ntwo\nthree\n' });
  fixture.git('tag', '-a', '-m', 'Train release 301', 'v1.301.0', c301);
  const c302 = fixture.commit('Something for the previous train (#9000)', { 'b.txt': 'bee\n' });
  fixture.git('tag', '-a', '-m', 'Train release 302', 'v1.302.0', c302);
  fixture.git('branch', 'train-302', c302);
  for (let i = 0; i < 3; i++) fixture.commit(`Change number ${i + 1} (#${9100 + i})\n\nDetails.`, { [`change-${i + 1}.txt`]: `${i}\n` });
  fixture.git('push', '--quiet', 'origin', '--all');
  fixture.git('push', '--quiet', 'origin', '--tags');
}

describe('train 303 replayed, kickoff to production', () => {
  let envs: FakeEnvironments;
  let fixture: GitFixture;
  let h: Harness;
  const pr = { passkeys: 0, mailer: 0, renovate: 0, blocker: 0, fix: 0, fix2: 0 };
  /** SRE's hand-offs: top-level posts in the team channel mentioning their group. */
  const sreHandOffs = () => topLevel(h).filter((m) => blocksText(m).includes(`<!subteam^${SRE}>`));

  /** Squash-merges a pull request as GitHub does, on the real main (pushed), and mirrors it: returns the merge commit. */
  const land = (number: number, at: string, files: Record<string, string>): string => {
    const merging = h.github.pullRequests.get(number);
    if (!merging) throw new Error(`no pull request #${number}`);
    const sha = fixture.commit(`${merging.title} (#${number})`, files);
    fixture.git('push', '--quiet', 'origin', 'main');
    mirrorToGitHub(fixture, h.github);
    h.github.updatePullRequest(number, { state: 'MERGED', mergeCommitSha: sha, mergedAt: at, updatedAt: at });
    return sha;
  };

  beforeAll(async () => {
    envs = await startFakeEnvironments({ stage: '1.302.0', production: '1.301.4' });
    fixture = createGitFixture();
    writeHistory(fixture);
    h = await startHarness({
      settings: {
        ...SETTINGS,
        gitRemoteUrl: fixture.remote,
        stageVersionUrl: envs.stageUrl,
        productionVersionUrl: envs.productionUrl,
        qa: { managers: [MANAGER] },
        sreContact: SRE,
        tagChase: { ownerAfterMinutes: 15, adminsAfterMinutes: 60 },
      },
      now: '2026-11-04T16:00:00Z',
    });
    for (const [id, name] of [
      [ADMIN, 'admin'],
      [ALICE, 'alice'],
      [BOB, 'bob'],
      [CAROL, 'carol'],
      [MANAGER, 'manager'],
      [ENGINEER, 'erin'],
    ] as const)
      h.slack.addUser({ id, name, email: `${name}@example.com` });
    h.slack.addUsergroup(SRE, [], { handle: 'fxa-sre', name: 'FxA SRE' });
  });
  afterAll(async () => {
    await h?.close();
    await envs?.close();
    fixture?.cleanup();
  });

  test('roster set-up and kickoff: the owner is told in the channel', async () => {
    // Roster: Alice owns 303, Bob 304, Carol 305 (their GitHub logins link PRs to people).
    await importRoster({
      prisma: h.bot.database.prisma,
      actor: ADMIN,
      now: h.clock.now(),
      startTrain: 303,
      members: [
        { slackUserId: ALICE, displayName: 'alice', githubLogin: 'alice-gh', timeZone: null },
        { slackUserId: BOB, displayName: 'bob', githubLogin: 'bob-gh', timeZone: null },
        { slackUserId: CAROL, displayName: 'carol', githubLogin: 'carol-gh', timeZone: null },
      ],
    });
    mirrorToGitHub(fixture, h.github);
    h.github.addWorkflow(TAG_WORKFLOW, { name: 'Release Tag Action', inputs: {}, createRunOnDispatch: true });
    h.github.addWorkflow(IMAGE_WORKFLOW, { name: 'Docker', inputs: { git_tag: { required: true } }, createRunOnDispatch: true });
    pr.passkeys = h.github.addPullRequest({
      title: 'Add passkeys',
      authorLogin: 'alice-gh',
      reviewDecision: 'APPROVED',
      checksState: 'SUCCESS',
    }).number;
    pr.mailer = h.github.addPullRequest({ title: 'Refactor the mailer', authorLogin: 'bob-gh', reviewDecision: 'APPROVED' }).number;
    pr.renovate = h.github.addPullRequest({ title: 'Update dependency jest to v30', authorLogin: 'renovate[bot]' }).number;
    const kickoff = h.bot.app.deps.calendar.getTrain(303).kickoff;
    await tickAt([h], at(kickoff));
    const announcements = topLevel(h).filter((m) => m.text.includes('303'));
    expect(announcements).toHaveLength(1);
    expect(mentions(announcements[0])).toContain(`<@${ALICE}>`);
  });

  test('check-in, the day before: owner and cutoff (10:00 PT / 13:00 ET), open PRs by author, deploy notes asked; only the owner mentioned; no Renovate', async () => {
    const before = topLevel(h).length;
    await tickAt([h], at(CHECK_IN));
    const [checkIn, ...others] = topLevel(h).slice(before);
    expect(others).toEqual([]);
    const text = blocksText(checkIn);
    expect(text).toContain('*Train 303 is cut in');
    expect(text).toContain('10:00 PT / 13:00 ET');
    expect(text).toContain('Add passkeys');
    expect(text).toContain('Refactor the mailer');
    expect(text).not.toContain('Update dependency jest');
    expect(text).toContain('*Deploy notes* for train 303');
    expect(mentions(checkIn)).toEqual([`<@${ALICE}>`]);
  });

  test('two sweeps, 3 h and 1 h before: each author asked once by DM; Alice says hers rolls, Bob that his lands; the last call in the channel', async () => {
    await tickAt([h], at(SWEEP_1));
    const [toBob] = dmsWith(h, BOB);
    if (!toBob) throw new Error('Bob was not asked');
    expect(blocksText(toBob)).toContain('Refactor the mailer');
    const aliceDms = dmsWith(h, ALICE).filter((m) => blocksText(m).includes(`pr-answer:${pr.passkeys}`));
    const toAlice = aliceDms[0];
    if (!toAlice) throw new Error('Alice was not asked');
    await pressAnswer(h, { userId: BOB, dm: toBob, number: pr.mailer, actionId: 'pr_answer_land' });
    await pressAnswer(h, { userId: ALICE, dm: toAlice, number: pr.passkeys, actionId: 'pr_answer_roll' });
    await ask(h, BOB, 'notes sre Run the auth-server migration before the deploy');
    // Found between the sweeps: a crash fix, labelled as a release blocker, by someone not on Slack.
    pr.blocker = h.github.addPullRequest({ title: 'Fix the sign-in loop', authorLogin: 'dave-gh', labels: ['release-blocker'] }).number;
    await tickAt([h], at(SWEEP_2));
    // Answered PRs are not asked again: one question per person per PR.
    expect(dmsWith(h, BOB).filter((m) => blocksText(m).includes(`pr-answer:${pr.mailer}`))).toHaveLength(1);
    const lastCall = topLevel(h).find((m) => m.text.startsWith('Last call for train 303'));
    expect(lastCall?.text).toContain('tagging at Wed 18 Nov, 10:00 PT / 13:00 ET');
    expect(blocksText(lastCall)).toContain('*Deploy notes:* 1 for train 303 (1 for SRE). Missing one?');
    expect(blocksText(lastCall)).not.toContain('Update dependency jest');
    // The pre-cut checks (step 1: critical patches not landed yet): the open release blocker, named (its author is not on Slack).
    expect(blocksText(lastCall)).toContain('*Before the cut:*');
    expect(blocksText(lastCall)).toContain(
      `:rotating_light: Release blocker still open: <https://github.com/mozilla/fxa/pull/${pr.blocker}|#${pr.blocker} Fix the sign-in loop> by dave-gh`,
    );
    expect(blocksText(lastCall)).toContain('No patch request is waiting and no dot release is planned.');
    expect(sreHandOffs()).toEqual([]);
  });

  test('the cutoff: what made it, what rolls, the notes; only the owner pinged, to tag', async () => {
    land(pr.mailer, '2026-11-18T17:40:00Z', { 'mailer.txt': 'refactored\n' });
    land(pr.blocker, '2026-11-18T17:50:00Z', { 'sign-in.txt': 'no loop\n' });
    await tickAt([h], at(CUTOFF));
    const cutoff = topLevel(h).find((m) => m.text.startsWith('Tagging train 303 now'));
    const text = blocksText(cutoff);
    expect(text).toMatch(/\*Made it\*[^"]*Refactor the mailer> by bob-gh/);
    expect(text).toMatch(/\*Rolls to train 304\*[^"]*Add passkeys> by alice-gh: :arrow_right: rolls to the next train/);
    expect(text).toContain('Run the auth-server migration before the deploy _(bob)_');
    expect(text).toContain(`<@${ALICE}>: tag it with \`/release tag\`.`);
    expect(mentions(cutoff)).toEqual([`<@${ALICE}>`]);
    expect(text).toMatch(/\*Made it\*[^"]*Fix the sign-in loop> by dave-gh/);
    // Step 2: SRE is told of the special steps, with the train and the link to the notes.
    expect(sreHandOffs().map((m) => m.text)).toEqual(['Train 303: 1 special step for SRE (cut).']);
    const sre = blocksText(sreHandOffs()[0]);
    expect(sre).toContain(`<!subteam^${SRE}> *Train 303* was cut at Wed 18 Nov, 10:00 PT / 13:00 ET / 18:00 UTC and is being tagged now.`);
    expect(sre).toContain('Run the auth-server migration before the deploy');
    expect(sre).toContain(`<https://slack.com/archives/${CHANNEL}/p${cutoff?.ts.replace('.', '')}|the cutoff message>`);
  });

  test('not tagged a quarter of an hour after the cutoff: Alice is reminded by one DM; the admins are not (yet)', async () => {
    const before = dmsWith(h, ALICE).length;
    await tickAt([h], at(CUTOFF, 16));
    await tickAt([h], at(CUTOFF, 21));
    expect(
      dmsWith(h, ALICE)
        .slice(before)
        .map((m) => m.text),
    ).toEqual([expect.stringMatching(/^:hourglass: Train 303 is not tagged yet: its cutoff was Wed 18 Nov, 10:00 PT/)]);
    expect(dmsWith(h, ADMIN).filter((m) => m.text.includes('not tagged'))).toEqual([]);
  });

  let mark = '0';
  test('a late merge at 10:03, then /release tag: the confirmation lists it; Cut anyway is recorded in the thread and dispatches once', async () => {
    land(pr.passkeys, '2026-11-18T18:03:00Z', { 'passkeys.txt': 'passkeys\n' });
    h.clock.set(at(CUTOFF, 30));
    mark = lastTs(h);
    const confirm = await askToTag(h, ALICE);
    expect(textOf(confirm)).toContain('*Merged after the cutoff*');
    expect(textOf(confirm)).toContain('Add passkeys');
    // The channel is a channel mention that Slack renders (issue 15 item 9), not escaped text.
    expect(textOf(confirm)).toContain(`report in train 303's thread in <#${CHANNEL}>.`);
    expect(textOf(confirm)).not.toContain('&lt;#');
    const value = buttonValue(confirm, 'tag_cut_anyway');
    expect(value).toBeDefined();
    await press(h, ALICE, 'tag_cut_anyway', value);
    const replies = await repliesNow(h, mark);
    // The owner's own clicks, told by name (no mention of her in her thread).
    expect(replies.map((m) => m.text)).toEqual([
      expect.stringMatching(/^:label: alice is cutting train 303: I dispatched tag-release.yml on main at /),
      `:warning: alice cut train 303 anyway, with 1 pull request merged after the cutoff riding it: <https://github.com/mozilla/fxa/pull/${pr.passkeys}|#${pr.passkeys}>.`,
    ]);
    for (const reply of replies) expect(mentions(reply)).toEqual([]);
    expect(h.github.workflowDispatches).toHaveLength(1);
  });

  test('the tag, then CI fails: the failure reaches the channel; Known flaky, the re-run on CircleCI, CI passes, stage', async () => {
    const cut = succeedTagRun(h.github, theTagRun(h.github));
    // tag-release.yml pushes train-303 and v1.303.0 at main's head: the real remote too.
    fixture.git('tag', '-a', '-m', 'Train release 303', 'v1.303.0', cut.sha);
    fixture.git('branch', 'train-303', cut.sha);
    fixture.git('push', '--quiet', 'origin', 'train-303', 'refs/tags/v1.303.0');
    setCi(h.github, cut.sha, 'completed', 'failure');
    for (let i = 0; i < 3; i++) await tick(h);
    expect(await cutOf(h)).toMatchObject({ state: 'ci_failed' });
    const failure = (await repliesNow(h, mark)).find((m) => m.text.includes('CI failed on v1.303.0'));
    if (!failure) throw new Error('no failure notice');
    // "Post about the failure in the slack channel for visibility": broadcast to the channel.
    expect(failure.subtype).toBe('thread_broadcast');
    const flaky = await press(h, ALICE, 'tag_known_flaky', buttonValue(failure, 'tag_known_flaky'), failure);
    expect(textOf(flaky)).toContain('as known flaky');
    rerunCi(h.github, cut.sha, 'in_progress');
    for (let i = 0; i < 4; i++) await tick(h);
    rerunCi(h.github, cut.sha, 'completed', 'success');
    for (let i = 0; i < 4; i++) await tick(h);
    expect(await cutOf(h)).toMatchObject({ state: 'ci_passed', ciRound: 2 });
    envs.set('stage', '1.303.0');
    for (let i = 0; i < 4; i++) await tick(h);
    expect(await cutOf(h)).toMatchObject({ state: 'on_stage' });
    const texts = (await repliesNow(h, mark)).map((m) => m.text);
    expect(texts.filter((t) => t.includes('CI failed on v1.303.0'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('alice recorded the CI failure as known flaky'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('CI passed on v1.303.0'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('Train 303 is on stage'))).toHaveLength(1);
  });

  test('the tag exists: SRE hears of the special steps again, once; nobody was chased after the cut', async () => {
    expect(sreHandOffs().map((m) => m.text)).toEqual([
      'Train 303: 1 special step for SRE (cut).',
      'Train 303: 1 special step for SRE (tagged).',
    ]);
    expect(blocksText(sreHandOffs()[1])).toContain(`<!subteam^${SRE}> *Train 303* is tagged; it heads for stage.`);
    expect(dmsWith(h, ALICE).filter((m) => m.text.includes('not tagged'))).toHaveLength(1);
    expect(dmsWith(h, ADMIN).filter((m) => m.text.includes('not tagged'))).toEqual([]);
  });

  test('QA comes back yellow: recorded, engineering management asked by DM with a dot-release offer', async () => {
    const notice = (await repliesNow(h, mark)).find((m) => m.text.includes('Train 303 is on stage'));
    if (!notice) throw new Error('no on-stage notice');
    const reply = await press(h, BOB, 'qa_yellow', buttonValue(notice, 'qa_yellow'), notice);
    expect(textOf(reply)).toContain("Recorded QA's sign-off of train 303: *yellow*.");
    await repliesNow(h, mark);
    const toManager = dmsWith(h, MANAGER);
    expect(toManager).toHaveLength(1);
    expect(textOf(toManager[0] as FakeSlackMessage)).toContain('yellow');
  });

  let request = 0;
  let fix = '';
  test('a fix lands on main; Erin asks for a patch of 303 through the form: the owner by one DM, the channel sees it, Erin not pinged', async () => {
    pr.fix = h.github.addPullRequest({
      title: 'Fix the passkey prompt on Safari',
      authorLogin: 'erin-gh',
      reviewDecision: 'APPROVED',
      checksState: 'SUCCESS',
    }).number;
    h.clock.set(at(CUTOFF, 24 * 60));
    fix = land(pr.fix, h.clock.now().toISOString(), { 'passkeys.txt': 'passkeys, fixed on Safari\n' });
    const [aliceBefore, erinBefore, channelBefore] = [dmsWith(h, ALICE).length, dmsWith(h, ENGINEER).length, topLevel(h).length];
    request = await requestPatch({ h }, ENGINEER, {
      train: '303',
      items: `https://github.com/mozilla/fxa/pull/${pr.fix}`,
      reason: 'test-failure',
      bugUrl: 'https://mozilla-hub.atlassian.net/browse/FXA-10303',
      impact: 'Passkey sign-in stays broken on Safari until train 304.',
      verified: true,
    });
    const toAlice = dmsWith(h, ALICE).slice(aliceBefore);
    expect(toAlice).toHaveLength(1);
    expect(textOf(toAlice[0] as FakeSlackMessage)).toContain(PATCH_APPROVE_ACTION);
    expect(textOf(toAlice[0] as FakeSlackMessage)).toContain('Fix the passkey prompt on Safari');
    const posted = topLevel(h).slice(channelBefore);
    expect(posted.map((m) => m.text)).toEqual([`Patch request #${request} for train 303 from erin needs a decision.`]);
    expect(mentions(posted[0])).toEqual([]);
    const toErin = dmsWith(h, ENGINEER).slice(erinBefore);
    expect(toErin.map((m) => m.text)).toEqual([`Patch request #${request} for train 303 from you`]);
    expect(mentions(toErin[0])).toEqual([]);
  });

  test('Alice approves from her DM: "Planning train 303.1" in the channel, the fix in it; Erin told once', async () => {
    const [dm] = dmsOf(h, ALICE).filter((m) => m.text.includes(`Patch request #${request}`));
    if (!dm) throw new Error('no DM to the owner');
    const [aliceBefore, erinBefore] = [dmsWith(h, ALICE).length, dmsWith(h, ENGINEER).length];
    const reply = await pressOn(h, ALICE, PATCH_APPROVE_ACTION, String(request), dm);
    expect(reply).toContain('Dot release *303.1*');
    const planning = announcement(h, 303, 1);
    expect(planning.text).toMatch(/^Planning train 303\.1/);
    expect(textOf(planning)).toContain(fix.slice(0, 10));
    // The owner is asked to act (Run dot release); Erin, whose approval reached her by DM, is named, not pinged.
    expect(textOf(planning)).toContain(`request #${request} by erin`);
    expect(mentions(planning)).toEqual([`<@${ALICE}>`]);
    expect(topLevel(h).filter((m) => /^Planning train 303\.1/.test(m.text))).toHaveLength(1);
    const toErin = dmsWith(h, ENGINEER).slice(erinBefore);
    expect(toErin).toHaveLength(1);
    expect(textOf(toErin[0] as FakeSlackMessage)).toContain('Approved by');
    expect(textOf(toErin[0] as FakeSlackMessage)).toContain('dot release *303.1*');
    expect(teamCopy(h, request).text).not.toContain('needs a decision');
    // Her own click: her DM copy is updated, nothing new is sent to her.
    expect(dmsWith(h, ALICE)).toHaveLength(aliceBefore);
  });

  test("Alice runs the dot release from Slack: the fix picked with -x onto train-303, pushed, v1.303.1 tagged in the train's thread; Erin told once", async () => {
    const channelBefore = topLevel(h).length;
    const outcome = await runFromSlack(h, 303, 1, ALICE);
    expect(outcome).toContain('released');
    expect(outcome).toContain('v1.303.1');
    expect(remoteLog(fixture, 'v1.303.0..train-303')).toEqual([`Fix the passkey prompt on Safari (#${pr.fix})`]);
    expect(fixture.remoteGit('log', '-1', '--format=%B', 'train-303')).toContain(`(cherry picked from commit ${fix})`);
    expect(fixture.remoteGit('cat-file', '-t', 'v1.303.1')).toBe('tag');
    expect(fixture.remoteGit('rev-parse', 'v1.303.1^{commit}')).toBe(fixture.remoteGit('rev-parse', 'train-303'));
    expect(dmsOf(h, ENGINEER).filter((m) => m.text.includes('is tagged `v1.303.1`'))).toHaveLength(1);
    // The announcement says it is out (updated, not posted again); the tag is reported in train 303's thread.
    expect(announcement(h, 303, 1).text).toMatch(/watched/);
    expect(topLevel(h)).toHaveLength(channelBefore);
    const thread = topLevel(h).find((m) => m.text.startsWith('Train 303 kicks off'))?.ts;
    const tagged = (await repliesNow(h, mark)).filter((m) => m.text.includes('Tagged v1.303.1'));
    expect(tagged.map((m) => m.thread_ts)).toEqual([thread]);
  });

  test('CI on v1.303.1 passes, stage; production reports 303.1: "train 303 reached production" once; Erin told once in all', async () => {
    mirrorToGitHub(fixture, h.github);
    const commit = fixture.remoteGit('rev-parse', 'v1.303.1^{commit}');
    setCi(h.github, commit, 'completed', 'success');
    for (let i = 0; i < 4; i++) await tick(h);
    envs.set('stage', '1.303.1');
    for (let i = 0; i < 4; i++) await tick(h);
    expect(await h.bot.database.prisma.tagRelease.findUnique({ where: { tag: 'v1.303.1' } })).toMatchObject({ state: 'on_stage' });
    envs.set('production', '1.303.1');
    for (let i = 0; i < 4; i++) await tick(h, 5);
    expect(await h.bot.database.prisma.tagRelease.findUnique({ where: { tag: 'v1.303.1' } })).toMatchObject({ state: 'in_production' });
    const texts = (await repliesNow(h, mark)).map((m) => m.text);
    expect(texts.filter((t) => t.includes('CI passed on v1.303.1'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('Train 303 reached production'))).toHaveLength(1);
    expect(await ask(h, ALICE, 'status')).toContain('303: in production');
    expect(dmsOf(h, ENGINEER).filter((m) => m.text.includes('is tagged'))).toHaveLength(1);
  });

  test('train 304 is cut on 2 December: what made it is what is not in 303 (not the PR that rode 303 anyway); Bob tags it', async () => {
    const cutoff = h.bot.app.deps.calendar.getTrain(304).cutoff;
    for (const minutes of [-24 * 60, -180, -60, 0]) await tickAt([h], at(cutoff, minutes + 1));
    const cutoffMessages = topLevel(h).filter((m) => m.text.startsWith('Tagging train 304 now'));
    expect(cutoffMessages).toHaveLength(1);
    const madeIt = mrkdwnOf(cutoffMessages[0] as FakeSlackMessage).find((t) => t.startsWith('*Made it*')) ?? '';
    // Passkeys was merged after 303's cutoff and cut into 303 anyway: it is in v1.303.0, not new in 304.
    expect(madeIt).toContain('Fix the passkey prompt on Safari');
    expect(madeIt).not.toContain('Add passkeys');
    expect(blocksText(cutoffMessages[0])).not.toContain('did not run');
    h.clock.set(at(cutoff, 20));
    const runs = runsOf(h.github, TAG_WORKFLOW).length;
    const { body, value } = await confirmation(h, BOB);
    expect(textOf(body)).toContain('Fix the passkey prompt on Safari');
    expect(textOf(body)).not.toContain('Add passkeys');
    await press(h, BOB, 'tag_confirm', value);
    const run = runsOf(h.github, TAG_WORKFLOW)[runs];
    if (!run) throw new Error('tag-release.yml was not dispatched for 304');
    const cut = succeedTagRun(h.github, run);
    expect(cut).toMatchObject({ train: 304, tag: 'v1.304.0' });
    fixture.git('tag', '-a', '-m', 'Train release 304', 'v1.304.0', cut.sha);
    fixture.git('branch', 'train-304', cut.sha);
    fixture.git('push', '--quiet', 'origin', 'train-304', 'refs/tags/v1.304.0');
    for (let i = 0; i < 3; i++) await tick(h);
    expect(await cutOf(h, 304)).toMatchObject({ tag: 'v1.304.0', tagSha: cut.sha });
  });

  test('a fix for production after 304 is cut: 303.2 approved and run by Alice, the forward port to 304 announced and run by Bob; Erin told once', async () => {
    pr.fix2 = h.github.addPullRequest({ title: 'Fix the reset-password link', authorLogin: 'erin-gh', reviewDecision: 'APPROVED' }).number;
    h.clock.advance(60 * MINUTE);
    const sha = land(pr.fix2, h.clock.now().toISOString(), { 'reset.txt': 'the reset link works\n' });
    const second = await requestPatch({ h }, ENGINEER, {
      train: '303',
      items: sha,
      reason: 's1-bug',
      bugUrl: 'https://mozilla-hub.atlassian.net/browse/FXA-10304',
      verified: true,
    });
    const [dm] = dmsOf(h, ALICE).filter((m) => m.text.includes(`Patch request #${second}`));
    if (!dm) throw new Error('no DM to the owner');
    expect(await pressOn(h, ALICE, PATCH_APPROVE_ACTION, String(second), dm)).toContain('Dot release *303.2*');
    expect(await runFromSlack(h, 303, 2, ALICE)).toContain('released');
    expect(remoteLog(fixture, 'v1.303.1..train-303')).toEqual([`Fix the reset-password link (#${pr.fix2})`]);
    // Train 304 was cut before the fix landed: its forward port, with Bob (its owner) asked to run it.
    const port = announcement(h, 304, 1);
    expect(textOf(port)).toContain('Forward port to train 304');
    expect(textOf(port)).toContain(sha.slice(0, 10));
    expect(mentions(port)).toEqual([`<@${BOB}>`]);
    expect(await runFromSlack(h, 304, 1, BOB)).toContain('released');
    expect(remoteLog(fixture, 'v1.304.0..train-304')).toEqual([`Fix the reset-password link (#${pr.fix2})`]);
    expect(fixture.remoteGit('rev-parse', 'v1.304.1^{commit}')).toBe(fixture.remoteGit('rev-parse', 'train-304'));
    // Each tag in its own train's thread.
    const threadOf = (train: number) => topLevel(h).find((m) => m.text.startsWith(`Train ${train} kicks off`))?.ts;
    const replies = await repliesNow(h, mark);
    expect(replies.filter((m) => m.text.includes('Tagged v1.303.2')).map((m) => m.thread_ts)).toEqual([threadOf(303)]);
    expect(replies.filter((m) => m.text.includes('Tagged v1.304.1')).map((m) => m.thread_ts)).toEqual([threadOf(304)]);
    const told = dmsOf(h, ENGINEER).map((m) => m.text);
    expect(told.filter((t) => t.includes('is tagged `v1.303.2`'))).toHaveLength(1);
  });

  test('the whole transcript: nothing posted twice; in the channel, nobody mentioned in a list item but the one asked to act', async () => {
    await repliesNow(h);
    const seen = new Map<string, number>();
    for (const m of h.slack.messages) {
      const key = `${m.channel} ${m.thread_ts ?? ''}: ${m.text}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen].filter(([, count]) => count > 1)).toEqual([]);
    // Every list item (• or 1.) of a channel or thread message that mentions someone, as "first line of the message → item".
    const listed = new Set<string>();
    for (const m of h.slack.messagesIn(CHANNEL)) {
      for (const line of mrkdwnOf(m).flatMap((text) => text.split('\n'))) {
        if (/^\s*(•|\d+\.)\s/.test(line) && /<@U[0-9A-Z]+>/.test(line)) listed.add(`${m.text.split('\n')[0]} → ${line.trim()}`);
      }
    }
    // Only the last call's author whose PR is still open after "will land": he is the one asked to merge it in time.
    expect([...listed]).toEqual([
      `Last call for train 303: tagging at Wed 18 Nov, 10:00 PT / 13:00 ET / 18:00 UTC. → • <https://github.com/mozilla/fxa/pull/${pr.mailer}|#${pr.mailer} Refactor the mailer> by <@${BOB}>: :white_check_mark: will land in time`,
    ]);
  });
});
