/**
 * QA's buttons: green / yellow / red under "on stage" (the same sign-off as
 * `/release qa`, without a note), and "Request a dot release" (the patch
 * request modal, preset to the train).
 */
import { positiveIdOf } from '../commands/parse-values';
import type { AppDeps } from '../deps';
import type { ButtonListener } from '../feature';
import { openPatchRequestModal } from '../patches/request-modal';
import { afterAck } from '../slack/after-ack';
import { currentIntent } from '../slack/intents';
import { parseColour, refuseButton, signOffQa } from './sign-off';

function readValue(value: string | undefined): { train: number; colour: ReturnType<typeof parseColour> } | null {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    if (typeof parsed !== 'object' || parsed === null) return null;
    const train = positiveIdOf(Reflect.get(parsed, 'train'));
    const colour = parseColour(String(Reflect.get(parsed, 'colour')));
    return train === null || colour === null ? null : { train, colour };
  } catch {
    // Not JSON: not one of our buttons.
    return null;
  }
}

/**
 * A QA colour button: records the sign-off; the answer goes to the clicker. Durable (src/qa/index.ts): the click is
 * recorded as an intent before the ack, and the sign-off carries the intent's key, so a replay records nothing twice.
 */
export function qaColourButton(deps: AppDeps): ButtonListener {
  const logger = deps.logger.child({ module: 'qa' });
  return async ({ ack, body, action, respond }) => {
    await ack();
    const now = deps.now();
    const intentKey = currentIntent()?.key;
    afterAck({ inFlight: deps.inFlight, logger, reply: respond }, async () => {
      const value = readValue(action.value);
      if (!value?.colour) refuseButton();
      const answer = await signOffQa({ deps, userId: body.user.id, now, colour: value.colour, train: value.train, note: null, intentKey });
      await respond({ response_type: 'ephemeral', replace_original: false, ...answer });
    });
  };
}

/** "Request a dot release of train N": the patch request modal for that train. */
export function qaDotReleaseButton(deps: AppDeps): ButtonListener {
  const logger = deps.logger.child({ module: 'qa' });
  return async ({ ack, body, action, respond, client }) => {
    await ack();
    const now = deps.now();
    const train = positiveIdOf(action.value);
    const reply = body.response_url ? respond : undefined;
    afterAck({ inFlight: deps.inFlight, logger, reply, unanswered: 'could not open the patch request modal' }, () =>
      openPatchRequestModal({ deps, client, triggerId: body.trigger_id, now, ...(train !== null ? { preset: { train } } : {}) }),
    );
  };
}
