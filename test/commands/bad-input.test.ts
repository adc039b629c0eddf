/**
 * Bad input of every kind gets an answer that says what is wrong and what is expected, never "Something went
 * wrong on my side": control characters in commands and modal fields, numbers that are not train numbers or ids
 * (2^53+1, 1e400, -1, 1.5, 0x10, past PostgreSQL's integer) in arguments and in button values, modal values of
 * the wrong shape or with altered metadata, and buttons or modals the bot does not know (acked at once).
 */
import type { ViewSubmissionPayload } from '../fakes/slack-client';
import { harnessForAll } from '../support/harness';
import { ADMIN, ALICE, arrangeCutoffDay, command, settings } from '../reminders/cutoff-day';

const SOMETHING_WENT_WRONG = 'Something went wrong';
/** Numbers that are not a train number or an id. */
const NOT_IDS = ['9007199254740993', '2147483648', '1e400', '-1', '1.5', '0x10', '0'];

describe('bad input is refused with what is wrong and what is expected', () => {
  // Monday 2 November 2026: train 302 is in progress, owned by Alice.
  const h = harnessForAll({ settings, now: '2026-11-02T17:00:00Z' }, arrangeCutoffDay);

  /** Presses a button as the admin; returns the bot's reply through the response_url. */
  async function press(actionId: string, value: string): Promise<string> {
    const before = h.slack.responses.length;
    const response = await h.sender.sendBlockActions(
      h.sender.blockActionsPayload({ userId: ADMIN, actionId, value, channelId: 'C0FXATEAM0' }),
    );
    expect(response.status).toBe(200);
    await h.slack.waitForResponses(before + 1, 8000);
    return String(h.slack.responses[before]?.body.text ?? '');
  }

  /** Submits a modal whose metadata and state values are given as sent (any shape); returns the ack body. */
  async function submit(callbackId: string, privateMetadata: string, values: unknown): Promise<Record<string, unknown>> {
    const payload: ViewSubmissionPayload = h.sender.viewSubmissionPayload({ userId: ADMIN, callbackId, privateMetadata, values: {} });
    const altered = { ...payload, view: { ...payload.view, state: { values } } } as ViewSubmissionPayload;
    const response = await h.sender.sendViewSubmission(altered);
    expect(response.status).toBe(200);
    return response.body === '' ? {} : (response.json() as Record<string, unknown>);
  }

  describe('control characters in a command', () => {
    test('a NUL in a deploy note is refused, named with its place, and nothing is stored', async () => {
      const answer = await command(h, ALICE, 'notes add Run\u0000 the migration');
      expect(answer).not.toContain(SOMETHING_WENT_WRONG);
      expect(answer).toContain('Your command contains an invisible control character (U+0000) at character 14');
      expect(answer).toContain('type it again without it');
      expect(answer).toContain('Usage: `/release notes [add &lt;text&gt; |');
      expect(await h.bot.database.prisma.deployNote.count()).toBe(0);
    });

    test('other control characters (a bell, an escape) are refused too; tabs and new lines are not', async () => {
      expect(await command(h, ALICE, 'notes add ring\u0007')).toContain('control character (U+0007)');
      expect(await command(h, ALICE, 'notes add \u001b[31mred')).toContain('control character (U+001B)');
      expect(await h.bot.database.prisma.deployNote.count()).toBe(0);
      expect(await command(h, ALICE, 'notes add step one\tthen two')).toContain('Deploy note `');
    });

    test('a NUL in a rotation argument or a subcommand name is refused the same way', async () => {
      for (const text of ['rotation swap 30\u00002 303', 'rotation a\u0000', 'stat\u0000us']) {
        const answer = await command(h, ADMIN, text);
        expect(answer).toContain('control character (U+0000)');
        expect(answer).not.toContain('\u0000');
      }
    });
  });

  describe('numbers that are not train numbers in a subcommand', () => {
    test.each([
      [
        'schedule 99999999999999999999',
        'Give a number of trains from 1 to 26, not `99999999999999999999`. Usage: `/release schedule [count]`',
      ],
      ['schedule 1e400', 'Give a number of trains from 1 to 26, not `1e400`.'],
      ['patches 1e400', 'Give a train number such as `302`, not `1e400`.\nUsage: `/release request-patch [train]`'],
      ['patches 2147483648', 'Give a train number such as `302`, not `2147483648`.'],
      ['patches 0x10', 'Give a train number such as `302`, not `0x10`.'],
      ['notes list 2147483648', 'Give the train as a number, not `2147483648`.'],
      ['rotation swap 9007199254740993 302', 'Give a train number such as `302`, not `9007199254740993`.\n`/release rotation show`'],
      ['rotation swap 302 -1', 'Give a train number such as `302`, not `-1`.'],
      ['rotation override 1.5 <@U0ALICE01>', 'Give a train number such as `302`, not `1.5`.'],
      ['rotation skip <@U0ALICE01> 0x10', 'Give a train number such as `302`, not `0x10`.'],
      ['rotation move <@U0ALICE01> 99999999999999999999', 'Give the new position as a number'],
    ])('`/release %s`', async (text, expected) => {
      const answer = await command(h, ADMIN, text);
      expect(answer).not.toContain(SOMETHING_WENT_WRONG);
      expect(answer).toContain(expected);
    });

    test('a train far ahead is refused with the range, instead of planning every train up to it', async () => {
      for (const text of ['rotation swap 999999 302', 'rotation override 2147483647 <@U0ALICE01>', 'rotation skip <@U0ALICE01> 999999']) {
        expect(await command(h, ADMIN, text)).toContain('is too far ahead: give a train from 302 (in progress) to 354.');
      }
      expect(
        await h.bot.database.prisma.auditEvent.count({
          where: { action: { in: ['rotation.swap', 'rotation.override', 'rotation.skip'] } },
        }),
      ).toBe(0);
    });
  });

  describe('button values that are not from a message the bot sent', () => {
    const json = {
      confirm: (n: string) => `{"train":${n},"sha":"${'a'.repeat(40)}"}`,
      release: (n: string) => `{"id":${n},"attempt":1}`,
      answer: (n: string) => `{"t":${n},"n":1,"s":"abcdef1"}`,
    };
    const cases: Array<[string, (n: string) => string, string]> = [
      ['patch_approve', (n) => n, 'That button does not name a patch request; use `/release patches` to find it.'],
      ['patch_withdraw', (n) => n, 'That button does not name a patch request; use `/release patches` to find it.'],
      ['kickoff_confirm', (n) => n, 'That button does not name a train; ask for a new announcement.'],
      ['kickoff_decline', (n) => n, 'That button does not name a train; ask for a new announcement.'],
      ['tag_confirm', json.confirm, 'That button does not say which train to cut'],
      ['tag_retry', json.release, 'That button does not say which release it is about'],
      ['tag_file_issue', json.release, 'That button does not say which release it is about'],
      ['tag_known_flaky', json.release, 'That button does not say which release it is about'],
      ['pr_answer_land', json.answer, 'That button does not name a pull request; wait for the next sweep to ask again.'],
    ];
    test.each(cases)('%s', async (actionId, value, expected) => {
      for (const n of NOT_IDS) {
        const answer = await press(actionId, value(n));
        expect([n, answer]).toEqual([n, expect.stringContaining(expected)]);
      }
    });
  });

  describe('modal values of the wrong shape', () => {
    const metadata = JSON.stringify({
      landscape: { latestCut: 301, building: 302, trains: [{ train: 301, where: 'production' }], notes: [] },
      buildingCutoff: 'Wed 4 Nov 10:00 PST',
      repository: 'mozilla/fxa',
      mainBranch: 'main',
      justificationMinLength: 20,
      presetReason: null,
    });

    test('the patch request form: a number where text was, an option that is not one, missing blocks, selected_option null', async () => {
      const answer = await submit('patch_request', metadata, {
        train: { patch_request_train: { type: 'static_select', selected_option: null } },
        items: { value: { type: 'plain_text_input', value: 5 } },
        reason: { value: { type: 'static_select', selected_option: 's1-bug' } },
        justification: { value: { type: 'plain_text_input', value: 'It breaks sign-in\u0000 for everyone' } },
        verified: { value: { type: 'checkboxes', selected_options: 'yes' } },
      });
      expect(answer.response_action).toBe('errors');
      expect(answer.errors).toEqual({
        train: 'Pick the train to patch.',
        items: 'I could not read this field as sent (expected text, got number); type it again.',
        reason: 'I could not read this field as sent (expected one chosen option); choose again.',
        justification: expect.stringContaining('This field contains an invisible control character (U+0000) at character 18'),
        verified: 'I could not read this field as sent (expected a list of chosen options); choose again.',
      });
      // No state at all: every required field is asked for.
      const empty = await submit('patch_request', metadata, undefined);
      expect(empty.errors).toMatchObject({ train: 'Pick the train to patch.', reason: 'Pick the reason for the patch.' });
    });

    test('the patch request form with metadata the bot did not write', async () => {
      for (const altered of ['{"landscape":5}', 'null', '[]', '{"landscape":{"trains":[{"train":"x"}]}}', 'not json']) {
        const answer = await submit('patch_request', altered, {});
        expect(answer).toEqual({
          response_action: 'errors',
          errors: { train: 'This form is from an old or altered message; close it and open `/release request-patch` again.' },
        });
      }
      expect(await h.bot.database.prisma.patchRequest.count()).toBe(0);
    });

    test('the decline and question forms: an altered request id, a reason that is not text', async () => {
      for (const altered of ['{"requestId":"abc"}', '{"requestId":2147483648}', '{"requestId":1.5}', '{}', 'x']) {
        const answer = await submit('patch_decline', altered, { text: { value: { type: 'plain_text_input', value: 'Not now.' } } });
        expect(answer.response_action).toBe('errors');
        expect(String((answer.errors as Record<string, string>).text)).toContain('This form is from an old or altered message');
      }
      const wrongType = await submit('patch_question', '{"requestId":1}', { text: { value: { type: 'plain_text_input', value: 42 } } });
      expect(wrongType).toEqual({
        response_action: 'errors',
        errors: { text: 'I could not read this field as sent (expected text, got number); type it again.' },
      });
      const nul = await submit('patch_decline', '{"requestId":1}', {
        text: { value: { type: 'plain_text_input', value: 'No\u0000 way' } },
      });
      expect(String((nul.errors as Record<string, string>).text)).toContain('control character (U+0000)');
    });
  });

  describe('buttons and modals the bot does not know', () => {
    test('an unknown button is acked at once and its clicker told it is no longer in use', async () => {
      const before = h.slack.responses.length;
      const response = await h.sender.sendBlockActions(
        h.sender.blockActionsPayload({ userId: ALICE, actionId: 'release_v1_approve', value: '302', channelId: 'C0FXATEAM0' }),
      );
      expect(response.status).toBe(200);
      await h.slack.waitForResponses(before + 1, 8000);
      expect(h.slack.responses[before]?.body).toMatchObject({
        response_type: 'ephemeral',
        replace_original: false,
        text: expect.stringContaining('This button is no longer in use'),
      });
    });

    test('an unknown button on a view (no response_url) is acked, and nothing is posted', async () => {
      const before = h.slack.responses.length;
      const response = await h.sender.sendBlockActions(
        h.sender.blockActionsPayload({ userId: ALICE, actionId: 'old_home_button', value: 'x', view: { id: 'V0HOME0001', type: 'home' } }),
      );
      expect(response.status).toBe(200);
      expect(h.slack.responses.length).toBe(before);
    });

    test('an unknown modal is acked with a view saying the form is no longer in use', async () => {
      const answer = await submit('release_v1_form', '', {});
      expect(answer.response_action).toBe('update');
      expect(JSON.stringify(answer.view)).toContain('This form is no longer in use');
    });
  });
});
