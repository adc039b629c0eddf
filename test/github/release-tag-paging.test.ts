/**
 * `/release tag` with 150 commits since the last tag: GitHub serves compare at
 * most 100 commits a page, so the bot reads it page by page and the
 * confirmation lists every merged pull request and the head commit's title
 * (issue 12: with `per_page=250` it got 100, listed 50 PRs too few and lost the
 * head commit).
 */
import { arrangeTaggingRepository } from '../fakes/tag-release-workflow';
import type { Harness } from '../support/harness';
import { importTeam } from '../support/team';
import { ADMIN, ALICE, BOB, CAROL, askToTag, startTaggingHarness, textOf } from '../tagging/helpers';

const MERGED = 150;

let h: Harness;
let mainHead: string;

beforeAll(async () => {
  h = await startTaggingHarness();
  await importTeam(h, {
    people: { [ADMIN]: 'admin', [ALICE]: 'alice', [BOB]: 'bob', [CAROL]: 'carol' },
    rotation: [ALICE, BOB, CAROL],
    startTrain: 303,
    actor: ADMIN,
  });
  mainHead = arrangeTaggingRepository(h.github, { merged: MERGED });
});
afterAll(async () => {
  await h.close();
});

test('the confirmation counts all 150 merged PRs and shows the head commit, read from compare 100 a page', async () => {
  h.github.resetRequests();
  const text = textOf(await askToTag(h, ALICE));

  expect(text).toContain(`*Made it:* ${MERGED} commits since \`v1.302.0\``);
  // The view links the first twelve and counts the rest: all 150 are known (with 100 read, it said "and 88 more").
  const listed = [...text.matchAll(/<https:\/\/github\.com\/mozilla\/fxa\/pull\/(\d+)\|#\1>/g)].map((m) => Number(m[1]));
  expect(listed).toEqual(Array.from({ length: listed.length }, (_, i) => 9100 + i));
  expect(text).toContain(` and ${MERGED - listed.length} more`);
  expect(text).toContain(`\`${mainHead.slice(0, 7)}\`> Change number ${MERGED}`);

  const compares = h.github.requests.filter((r) => r.path.startsWith('/repos/mozilla/fxa/compare/'));
  expect(compares.map((r) => [r.query.get('per_page'), r.query.get('page')])).toEqual([
    ['100', '1'],
    ['100', '2'],
  ]);
});
