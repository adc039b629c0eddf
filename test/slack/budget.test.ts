/** The budgeter and the token-safe cut: what every view relies on to fit Slack's limits. Pure. */
import { context, header, section, SLACK_LIMITS, type Block } from '../../src/slack/blocks';
import { blockText, fitBlocks, githubSearchUrl, list, moreOnGitHub } from '../../src/slack/budget';
import { clipMrkdwn, escapeTyped, literal } from '../../src/slack/mrkdwn';
import { measureMessage, slackTokens } from '../support/slack-limits';

const sectionText = (block: Block | undefined): string => (block?.type === 'section' ? (block.text?.text ?? '') : '');

describe('clipMrkdwn', () => {
  test('a section too long for Slack is cut before a link, never inside it (it used to leave `<https://…|#12 Tit…`)', () => {
    const text = `${'x'.repeat(2980)} <https://github.com/mozilla/fxa/pull/12|#12 Title>`;
    const cut = sectionText(section(text));
    expect(cut.length).toBeLessThanOrEqual(3000);
    expect(cut).toBe(`${'x'.repeat(2980)}…`);
    expect(slackTokens(cut).stray).toEqual([]);
  });

  test('never inside an entity, an emoji code, a mention or a date; never between surrogate halves', () => {
    expect(clipMrkdwn('ab &amp; cd', 6)).toBe('ab…');
    expect(clipMrkdwn('ab :tada: cd', 7)).toBe('ab…');
    expect(clipMrkdwn('hi <@U0ALICE01> there', 10)).toBe('hi…');
    expect(clipMrkdwn('at <!date^1793815200^{time}|18:00> ok', 20)).toBe('at…');
    expect(clipMrkdwn('😀😀😀😀', 6)).toBe('😀😀…');
    expect(clipMrkdwn('short', 5)).toBe('short');
  });

  test('headers keep to 150 characters, contexts to 10 elements', () => {
    const block = header('h'.repeat(400));
    expect(block.type === 'header' && block.text.text.length).toBe(SLACK_LIMITS.headerText);
    const ctx = context(...Array.from({ length: 14 }, (_, i) => `e${i}`));
    expect(ctx.type === 'context' && ctx.elements.length).toBe(10);
  });
});

describe('fitBlocks', () => {
  const line = (i: number) => `• <https://github.com/o/r/pull/${i}|#${i} ${'t'.repeat(200)}>`;

  test('small messages come out exactly as written', () => {
    const blocks = fitBlocks([section('Hello'), list('*PRs:*', [line(1), line(2)]), context('bye')]);
    expect(blocks).toEqual([section('Hello'), section(`*PRs:*\n${line(1)}\n${line(2)}`), context('bye')]);
  });

  test('a long list shows its first items, the summary, and how many it left out with the GitHub search', () => {
    const items = Array.from({ length: 300 }, (_, i) => line(i + 1));
    const blocks = fitBlocks([
      section('Head'),
      list('*Open:*', items, { summary: '_By author:_ a 200, b 100.', more: moreOnGitHub('o/r', 'is:pr is:open base:main') }),
    ]);
    const measure = measureMessage({ blocks });
    expect(measure.breaches).toEqual([]);
    expect(measure.textChars).toBeLessThanOrEqual(12_000);
    const shown = (JSON.stringify(blocks).match(/\/pull\/\d+\|/g) ?? []).length;
    expect(shown).toBeGreaterThan(10);
    const all = blocks.map(sectionText).join('\n');
    expect(all).toContain('_By author:_ a 200, b 100.');
    expect(all).toContain(
      `…and ${300 - shown} more (<https://github.com/o/r/pulls?q=is%3Apr+is%3Aopen+base%3Amain|all of them on GitHub>)`,
    );
  });

  test('two long lists share the room; the message stays within 50 blocks and 12,000 characters', () => {
    const items = Array.from({ length: 1000 }, (_, i) => line(i));
    const fixed = Array.from({ length: 45 }, (_, i) => section(`fixed ${i} ${'f'.repeat(100)}`));
    const blocks = fitBlocks([...fixed, list('*A*', items), list('*B*', items, { layout: 'inline', as: 'context' })]);
    const measure = measureMessage({ blocks });
    expect(measure.breaches).toEqual([]);
    expect(blockText(blocks)).toBe(measure.textChars);
    expect(JSON.stringify(blocks)).toContain('*A*');
    expect(JSON.stringify(blocks)).toContain('*B*');
  });

  test('fixed blocks that are too long together are cut, token-safe, rather than refused', () => {
    const blocks = fitBlocks(Array.from({ length: 8 }, (_, i) => section(`${i} ${line(i).repeat(12)}`)));
    const measure = measureMessage({ blocks });
    expect(measure.breaches).toEqual([]);
    for (const block of blocks) expect(slackTokens(sectionText(block)).stray).toEqual([]);
  });

  test('a view may hold 100 blocks', () => {
    const blocks = fitBlocks(
      Array.from({ length: 120 }, (_, i) => section(`${i}`)),
      { surface: 'view' },
    );
    expect(blocks).toHaveLength(100);
    expect(sectionText(blocks.at(-1))).toBe('119');
  });

  test('the GitHub search link is written as GitHub writes it', () => {
    expect(githubSearchUrl('mozilla/fxa', 'is:pr is:open base:main')).toBe(
      'https://github.com/mozilla/fxa/pulls?q=is%3Apr+is%3Aopen+base%3Amain',
    );
  });
});

describe('escaping', () => {
  test('a mention typed into a note is shown as a name, deliberately (it showed raw as <@U…|alice>)', () => {
    expect(escapeTyped('ask <@U0ALICE01|alice> in <#C0TEAM001|releases> & see <https://x.example/a|the doc>')).toBe(
      'ask @alice in #releases &amp; see https://x.example/a',
    );
    expect(escapeTyped('<!channel> <@U0BOB0001> <b>')).toBe('&lt;!channel&gt; @U0BOB0001 &lt;b&gt;');
  });

  test('a placeholder in a command is shown literally: Slack reads <…> as a link even inside backticks', () => {
    expect(literal('/release notes add <text>')).toBe('`/release notes add &lt;text&gt;`');
  });
});
