/**
 * Lets the event loop handle waiting I/O (new requests to acknowledge) before
 * going on with work that nobody is waiting on right now.
 */
import { setImmediate } from 'node:timers/promises';

export async function yieldToEventLoop(): Promise<void> {
  await setImmediate();
}
