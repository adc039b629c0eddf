/**
 * Quieter by default (issue 15 item 8): Renovate's and Dependabot's PRs are
 * left out of the check-in, the sweeps, the last call, the cutoff message,
 * the tag confirmation and status by default (`ignoredPullRequestAuthors`),
 * and channel messages mention only the person asked to act (counted per
 * message in the fake Slack's transcript). The bots are shaped as GitHub
 * gives them: GraphQL says `{ __typename: "Bot", login: "dependabot" }`,
 * REST `dependabot[bot]` (the setting's spelling).
 */
import { harnessForAll } from '../support/harness';
import {
  ALICE,
  BOB,
  CAROL,
  CHECK_IN,
  CUTOFF,
  ERIN,
  START,
  SWEEP_1,
  after,
  arrangeCutoffDay,
  blocksText,
  channelMessages,
  command,
  dmsWith,
  settings,
  tickAt,
} from './cutoff-day';

const LAST_CALL = new Date(CUTOFF.getTime() - 60 * 60_000);
const mentions = (text: string): string[] => text.match(/<@U[0-9A-Z]+>/g) ?? [];

describe('quieter by default', () => {
  const h = harnessForAll({ settings, now: START }, async (h) => {
    await arrangeCutoffDay(h);
    // Bots' dependency bumps, without any label: left out by author alone (the default setting).
    h.github.addPullRequest({
      number: 20,
      title: 'Bump lodash from 4.17.20 to 4.17.21',
      authorLogin: 'dependabot[bot]',
      createdAt: '2026-10-20T10:00:00Z',
    });
    h.github.addPullRequest({
      number: 21,
      title: 'Update dependency jest to v30',
      authorLogin: 'Renovate[bot]',
      createdAt: '2026-10-20T11:00:00Z',
    });
    h.github.addPullRequest({
      number: 22,
      title: 'Update dependency pino to v10',
      authorLogin: 'renovate[bot]',
      state: 'MERGED',
      createdAt: '2026-10-22T10:00:00Z',
      mergedAt: '2026-10-29T12:00:00Z',
    });
  });
  const botTitles = ['Bump lodash', 'Update dependency jest', 'Update dependency pino'];
  const noBotPullRequests = (text: string) => {
    for (const title of botTitles) expect(text).not.toContain(title);
  };

  test('the check-in leaves out the bots and mentions only the owner, once', async () => {
    await tickAt([h], after(CHECK_IN));
    const [checkIn] = channelMessages(h);
    const text = blocksText(checkIn);
    noBotPullRequests(text);
    expect(text).toContain('(5 by 4 authors)');
    expect(mentions(text)).toEqual([`<@${ALICE}>`]);
  });

  test('the sweeps ask no bot and count none in the owner summary', async () => {
    await tickAt([h], after(SWEEP_1));
    const summary = dmsWith(h, ALICE).at(-1);
    noBotPullRequests(blocksText(summary));
    expect(blocksText(summary)).toContain('*5 open PRs* by 4 authors');
    // Bob is asked about his own PRs, once.
    expect(dmsWith(h, BOB)).toHaveLength(1);
  });

  test('the last call leaves out the bots and mentions only authors asked to act', async () => {
    await tickAt([h], after(LAST_CALL));
    const call = channelMessages(h).find((m) => m.text.startsWith('Last call'));
    const text = blocksText(call);
    noBotPullRequests(text);
    // Erin's only PR is a draft: not pinged; the authors whose PRs still have no answer are asked to act, so pinged.
    for (const mention of mentions(text)) expect([`<@${ALICE}>`, `<@${BOB}>`, `<@${CAROL}>`]).toContain(mention);
    expect(mentions(text)).not.toContain(`<@${ERIN}>`);
  });

  test('the cutoff message leaves out the bots (merged or open) and mentions only the owner, asked to tag', async () => {
    await tickAt([h], after(CUTOFF));
    const cutoff = channelMessages(h).find((m) => m.text.startsWith('Tagging train 302 now'));
    const text = blocksText(cutoff);
    noBotPullRequests(text);
    expect(cutoff?.text).toBe('Tagging train 302 now: 1 made it, 5 roll to train 303.');
    expect(mentions(text)).toEqual([`<@${ALICE}>`]);
  });

  test('the tag confirmation leaves out the bots: neither rolling nor merged after the cutoff', async () => {
    h.github.mergePullRequest(
      h.github.addPullRequest({ number: 23, title: 'Update dependency tsx to v5', authorLogin: 'renovate[bot]' }).number,
      after(CUTOFF, 2).toISOString(),
    );
    h.clock.set(after(CUTOFF, 5));
    const reply = await command(h, ALICE, 'tag');
    // Main's head is the bot's merge (the commit to cut from is what it is), but no bot PR is listed or asked about.
    expect(reply).toContain('*Rolls to train 303:* 6 open pull requests');
    expect(reply).toContain('Add passkeys');
    noBotPullRequests(reply);
    expect(reply).not.toContain('Merged after the cutoff');
    expect(reply).toContain('"action_id":"tag_confirm"');
    expect(reply).not.toContain('tag_cut_anyway');
  });

  test('status leaves out the bots', async () => {
    const reply = await command(h, BOB, 'status');
    expect(reply).toContain('Add passkeys');
    noBotPullRequests(reply);
  });
});
