/** Opens a modal from a trigger; a trigger Slack no longer accepts becomes a message for the person. */
import type { types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { InvalidInputError } from '../errors';

export async function openModal(options: {
  client: WebClient;
  triggerId: string;
  view: types.ModalView;
}): Promise<{ id: string; hash: string | undefined }> {
  let opened;
  try {
    opened = await options.client.views.open({ trigger_id: options.triggerId, view: options.view });
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code === 'expired_trigger_id' || code === 'exchanged_trigger_id') {
      throw new InvalidInputError(
        'Slack’s window for opening the form closed before I could open it (it lasts 3 seconds). Please try again.',
        { cause: error },
      );
    }
    throw error;
  }
  const id = opened.view?.id;
  if (!id) throw new Error('Slack opened a modal without an id');
  return { id, hash: opened.view?.hash };
}
