import { App } from '@slack/bolt';
import type { Subcommand } from '../../src/commands/router';
import type { AppDeps } from '../../src/deps';
import type { Feature } from '../../src/feature';
import { InFlightWork } from '../../src/server/in-flight';
import { registerFeatures, UNKNOWN_FORM_TEXT } from '../../src/slack/register';
import { silentLogger } from '../support/database';

describe('features register themselves', () => {
  const deps = { logger: silentLogger, inFlight: new InFlightWork() } as unknown as AppDeps;
  const app = () => new App({ token: 'xoxb-register-test', signingSecret: 'register-test-secret', deferInitialization: true });
  const subcommand = (name: string) => (): Subcommand => ({ name, usage: name, summary: name, maxArgs: 0, run: async () => undefined });
  const button = () => async () => undefined;

  test('a button id claimed by two features is refused at start, naming both', () => {
    const features: Feature[] = [
      { name: 'first', buttons: { shared_action: button } },
      { name: 'second', buttons: { other_action: button, shared_action: button } },
    ];
    expect(() => registerFeatures(app(), deps, features)).toThrow('button id "shared_action" is registered by both first and second');
  });

  test('a modal callback id claimed twice is refused too', () => {
    const features: Feature[] = [
      { name: 'first', views: { the_modal: button } },
      { name: 'second', views: { the_modal: button } },
    ];
    expect(() => registerFeatures(app(), deps, features)).toThrow('view id "the_modal" is registered by both first and second');
  });

  test('a subcommand named twice, or named help, is refused', () => {
    expect(() =>
      registerFeatures(app(), deps, [
        { name: 'a', subcommands: [subcommand('tag')] },
        { name: 'b', subcommands: [subcommand('tag')] },
      ]),
    ).toThrow('subcommand "tag" is registered by both a and b');
    expect(() => registerFeatures(app(), deps, [{ name: 'a', subcommands: [subcommand('help')] }])).toThrow(
      'subcommand "help" is registered by both the router and a',
    );
  });

  test('one global middleware and no Bolt listener: Bolt runs no listener chain per request', () => {
    const target = app();
    const listeners = ['command', 'action', 'view', 'event', 'shortcut', 'options', 'message'] as const;
    const spies = listeners.map((method) => jest.spyOn(target, method));
    const use = jest.spyOn(target, 'use');
    const { registered } = registerFeatures(target, deps, [
      { name: 'a', buttons: { a_one: button, a_two: button }, subcommands: [subcommand('one')] },
      { name: 'b', buttons: { b_one: button }, views: { b_modal: button }, selects: { b_pick: button } },
    ]);
    expect(spies.map((spy) => spy.mock.calls.length)).toEqual(listeners.map(() => 0));
    expect(use).toHaveBeenCalledTimes(1);
    expect(registered).toEqual({
      commands: ['/release'],
      events: [],
      buttons: ['a_one', 'a_two', 'b_one'],
      selects: ['b_pick'],
      views: ['b_modal'],
    });
  });

  test('an action id claimed as a button and as a select is refused at start', () => {
    expect(() => registerFeatures(app(), deps, [{ name: 'a', buttons: { same: button }, selects: { same: button } }])).toThrow(
      'action id "same" is registered as both a button and a select',
    );
  });

  describe('each payload reaches the listener of its id, through Bolt itself (App.processEvent)', () => {
    const user = { id: 'U1', username: 'u', name: 'u', team_id: 'T1' };
    const calls: string[] = [];
    const acks: unknown[] = [];
    const bolt = new App({
      signingSecret: 'register-test-secret',
      authorize: async () => ({ botToken: 'xoxb-register-test', botId: 'B1', botUserId: 'UBOT' }),
      deferInitialization: true,
    });
    const listener = (name: string) => () => async (args: { ack: () => Promise<void> }) => {
      calls.push(name);
      await args.ack();
    };
    registerFeatures(bolt, deps, [
      { name: 'a', buttons: { a_one: listener('button a_one') }, selects: { a_pick: listener('select a_pick') } },
      { name: 'b', views: { b_modal: listener('view b_modal') } },
    ]);
    const deliver = (body: Record<string, unknown>) =>
      bolt.processEvent({
        body,
        ack: async (response?: unknown) => {
          acks.push(response ?? null);
        },
      });
    const blockAction = (action: Record<string, unknown>) => ({
      type: 'block_actions',
      user,
      team: { id: 'T1', domain: 't' },
      api_app_id: 'A1',
      token: 't',
      container: { type: 'message' },
      trigger_id: '1.2.3',
      actions: [{ block_id: 'b', action_ts: '1.0', ...action }],
    });
    beforeAll(() => bolt.init());
    beforeEach(() => {
      calls.length = 0;
      acks.length = 0;
    });

    test('a button and a select by their ids', async () => {
      await deliver(blockAction({ type: 'button', action_id: 'a_one', text: { type: 'plain_text', text: 'x' } }));
      await deliver(blockAction({ type: 'static_select', action_id: 'a_pick', selected_option: { value: 'v' } }));
      expect(calls).toEqual(['button a_one', 'select a_pick']);
      expect(acks).toEqual([null, null]);
    });

    test("an id nobody registered, or a select sent with a button's id, is acked and nothing runs", async () => {
      await deliver(blockAction({ type: 'button', action_id: 'old_button', text: { type: 'plain_text', text: 'x' } }));
      await deliver(blockAction({ type: 'static_select', action_id: 'a_one', selected_option: { value: 'v' } }));
      expect(calls).toEqual([]);
      expect(acks).toEqual([null, null]);
    });

    test('a modal by its callback id; one nobody registered is acked with a view saying so', async () => {
      const submission = (callbackId: string) => ({
        type: 'view_submission',
        user,
        team: { id: 'T1', domain: 't' },
        api_app_id: 'A1',
        token: 't',
        trigger_id: '1.2.3',
        view: { id: 'V1', type: 'modal', callback_id: callbackId, state: { values: {} }, private_metadata: '', blocks: [] },
      });
      await deliver(submission('b_modal'));
      await deliver(submission('old_modal'));
      expect(calls).toEqual(['view b_modal']);
      expect(acks[0]).toBeNull();
      expect(JSON.stringify(acks[1])).toContain(UNKNOWN_FORM_TEXT.slice(0, 40));
    });

    test('a modal closed and a slash command that is not /release are acked, and nothing runs', async () => {
      await deliver({
        type: 'view_closed',
        user,
        team: { id: 'T1', domain: 't' },
        api_app_id: 'A1',
        token: 't',
        view: { id: 'V1', callback_id: 'b_modal' },
      });
      await deliver({
        command: '/other',
        text: '',
        user_id: 'U1',
        channel_id: 'C1',
        team_id: 'T1',
        trigger_id: '1.2.3',
        response_url: 'https://hooks.slack.com/x',
      });
      expect(calls).toEqual([]);
      expect(acks).toEqual([null, null]);
    });
  });
});
