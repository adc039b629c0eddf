import { dispatchById, exactlyOneOf } from '../../src/listeners/dispatch';

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
