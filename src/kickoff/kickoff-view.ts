/** The kickoff announcement, as Block Kit. */
import type { Settings } from '../config';
import { actions, button, context, section, type Block } from '../slack/blocks';
import { fitMessage } from '../slack/budget';
import { actorText, mentionUser, slackDate } from '../slack/mrkdwn';
import type { TrainSchedule } from '../train/calendar';
import { formatInZones } from '../train/time-format';

export const KICKOFF_CONFIRM_ACTION = 'kickoff_confirm';
export const KICKOFF_DECLINE_ACTION = 'kickoff_decline';

export interface KickoffMessage {
  train: TrainSchedule;
  owner: { slackUserId: string; emoji: string | null } | null;
  /** Who is next, named (not pinged: they are not asked to do anything yet); `name` undefined when Slack knows none. */
  next: { train: number; slackUserId: string | null; name?: string | undefined } | null;
  /** Why this is a re-announcement, e.g. "alice can't take it" (by name: it was her own click). */
  note?: string;
}

function cutoffLine(train: TrainSchedule, settings: Settings): string {
  return (
    `*Cutoff:* ${formatInZones(train.cutoff, settings.displayTimeZones)} ` +
    `(your time: ${slackDate(train.cutoff, '{date_short_pretty} at {time}', train.cutoff.toISOString())}). ` +
    'PRs merged to `main` before then ride this train; later ones roll to the next.'
  );
}

export function renderKickoff(message: KickoffMessage, settings: Settings): { text: string; blocks: Block[] } {
  const { train, owner, next } = message;
  const nextLine = next
    ? `*Next up:* ${next.slackUserId ? actorText({ actor: next.slackUserId, actorName: next.name }) : '_no owner assigned_'} for train ${next.train}.`
    : '';
  if (!owner) {
    const text = `Train ${train.train} kicks off with no release owner assigned.`;
    return fitMessage({
      text,
      parts: [
        section(`:steam_locomotive: *Train ${train.train} kicks off* with *no release owner assigned*.`),
        section(cutoffLine(train, settings)),
        context(
          'The roster is empty or everyone is away. An admin can fix it with `/release rotation import @a @b …` ' +
            `or \`/release rotation override ${train.train} @user\`.`,
        ),
      ],
    });
  }
  const ownerText = `${mentionUser(owner.slackUserId)}${owner.emoji ? ` ${owner.emoji}` : ''}`;
  const blocks: Block[] = [
    section(`:steam_locomotive: *Train ${train.train} kicks off.* Release owner: ${ownerText}${message.note ? `\n_${message.note}_` : ''}`),
    section(cutoffLine(train, settings)),
  ];
  if (nextLine) blocks.push(context(nextLine));
  blocks.push(
    section(`${mentionUser(owner.slackUserId)}, please confirm you'll take train ${train.train}.`),
    actions(`kickoff:${train.train}`, [
      button({ actionId: KICKOFF_CONFIRM_ACTION, text: "I'm on it", value: String(train.train), style: 'primary' }),
      button({ actionId: KICKOFF_DECLINE_ACTION, text: "I can't, pick the next person", value: String(train.train) }),
    ]),
  );
  return fitMessage({ text: `Train ${train.train} kicks off. Release owner: ${ownerText}.`, parts: blocks });
}

/** The announcement once answered: the buttons give way to who answered. */
export function renderAnswered(original: { text: string; blocks: Block[] }, outcome: string): { text: string; blocks: Block[] } {
  const kept = original.blocks.filter((block) => block.type !== 'actions');
  return { text: original.text, blocks: [...kept.slice(0, -1), context(outcome)] };
}
