/**
 * One Bolt listener per kind of payload, dispatching on the payload's id
 * through a table. Bolt runs the middleware of every registered listener for
 * every request it receives, a slash command included: with a listener per
 * button that was twenty-odd promise chains per request, the larger part of
 * what the bot's ack cost above a bare Bolt app (see `npm run bench`). With
 * one listener per kind it is one, however many buttons are added.
 */

/** Matches exactly the given ids (Bolt accepts a RegExp wherever it takes an id). */
export function exactlyOneOf(ids: Iterable<string>): RegExp {
  const escaped = [...ids].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (escaped.length === 0) throw new Error('exactlyOneOf: no ids');
  return new RegExp(`^(?:${escaped.join('|')})$`);
}

/**
 * A listener that hands the payload to the table's listener for its id.
 * Register it with `exactlyOneOf(table.keys())`, so that Bolt only gives it
 * ids the table has.
 */
export function dispatchById<Args>(table: ReadonlyMap<string, (args: Args) => Promise<void>>, idOf: (args: Args) => string): (args: Args) => Promise<void> {
  return async (args) => {
    const listener = table.get(idOf(args));
    if (!listener) throw new Error(`no listener for ${idOf(args)}`);
    await listener(args);
  };
}
