import { App } from '@slack/bolt';
import type { Subcommand } from '../../src/commands/router';
import type { AppDeps } from '../../src/deps';
import type { Feature } from '../../src/feature';
import { InFlightWork } from '../../src/server/in-flight';
import { dispatchById, exactlyOneOf, registerFeatures } from '../../src/slack/register';
import { silentLogger } from '../support/database';

describe('one Bolt listener per kind, dispatching by id', () => {
  test('exactlyOneOf matches the ids themselves, not prefixes, suffixes or look-alikes', () => {
    const pattern = exactlyOneOf(['tag_confirm', 'patch.approve', 'a+b']);
    expect(['tag_confirm', 'patch.approve', 'a+b'].every((id) => pattern.test(id))).toBe(true);
    expect(['tag_confirm_2', 'xtag_confirm', 'patchXapprove', 'aab', ''].some((id) => pattern.test(id))).toBe(false);
  });

  test('exactlyOneOf refuses an empty list (it would match nothing, silently)', () => {
    expect(() => exactlyOneOf([])).toThrow('no ids');
  });

  test('dispatchById hands the payload to the listener of its id only', async () => {
    const calls: string[] = [];
    const table = new Map([
      ['one', async (args: { id: string }) => void calls.push(`one:${args.id}`)],
      ['two', async (args: { id: string }) => void calls.push(`two:${args.id}`)],
    ]);
    const dispatch = dispatchById(table, (args) => args.id);
    await dispatch({ id: 'two' });
    expect(calls).toEqual(['two:two']);
    await expect(dispatch({ id: 'three' })).rejects.toThrow('no listener for three');
    expect(calls).toEqual(['two:two']);
  });
});

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

  test('distinct ids register, one Bolt listener per kind, then one for the ids nobody registered', () => {
    const target = app();
    const actions = jest.spyOn(target, 'action');
    const views = jest.spyOn(target, 'view');
    registerFeatures(target, deps, [
      { name: 'a', buttons: { a_one: button, a_two: button }, subcommands: [subcommand('one')] },
      { name: 'b', buttons: { b_one: button }, views: { b_modal: button } },
    ]);
    // The second listener of a kind is the catch-all (issue 13): registered last, for the ids no feature has.
    expect(actions).toHaveBeenCalledTimes(2);
    expect(views).toHaveBeenCalledTimes(2);
    const pattern = actions.mock.calls[0]?.[0] as RegExp;
    expect(['a_one', 'a_two', 'b_one'].every((id) => pattern.test(id))).toBe(true);
    const unknown = actions.mock.calls[1]?.[0] as RegExp;
    expect(['a_one', 'a_two', 'b_one'].some((id) => unknown.test(id))).toBe(false);
    expect(['a_on', 'a_one_', 'old_button'].every((id) => unknown.test(id))).toBe(true);
    const unknownView = views.mock.calls[1]?.[0] as RegExp;
    expect([unknownView.test('b_modal'), unknownView.test('old_modal')]).toEqual([false, true]);
  });
});
