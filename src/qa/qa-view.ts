/** QA's sign-off as Slack text: the thread message, the managers' DM, the reply, and why a sign-off is refused. */
import { actions, button, section, type Block } from '../slack/blocks';
import { actorText, escapeMrkdwn, escapeTyped, link, mentionUser } from '../slack/mrkdwn';
import type { QaColour, QaSignoff } from './qa-store';

/** "Request a dot release" under a yellow or red sign-off: opens the patch request modal for the train. */
export const QA_DOT_RELEASE_ACTION = 'qa_dot_release';

export const QA_COLOURS: readonly QaColour[] = ['green', 'yellow', 'red'];

export const QA_USAGE =
  "`/release qa &lt;green|yellow|red&gt; [train] [note]`: QA's sign-off of the train on stage, e.g. `/release qa yellow 303 login flaky on Safari`";

/** Why a sign-off is refused, as data. */
export type QaRefusal =
  | { kind: 'no-colour' }
  | { kind: 'unknown-colour'; typed: string }
  | { kind: 'nothing-on-stage' }
  | { kind: 'not-cut'; train: number }
  | { kind: 'not-on-stage'; train: number; step: string }
  | { kind: 'in-production'; train: number }
  | { kind: 'not-a-member' }
  | { kind: 'unreadable-button' };

export function renderQaRefusal(refusal: QaRefusal): string {
  switch (refusal.kind) {
    case 'no-colour':
      return `Say how QA went: green, yellow or red.\n${QA_USAGE}`;
    case 'unknown-colour':
      return `\`${escapeMrkdwn(refusal.typed)}\` is not a QA colour: use green, yellow or red.\n${QA_USAGE}`;
    case 'nothing-on-stage':
      return 'No train is on stage right now, so there is nothing for QA to sign off. `/release status` shows where each train is.';
    case 'not-cut':
      return `Train ${refusal.train} has not been cut (I have no tag of it), so QA cannot sign it off. \`/release status\` shows the trains.`;
    case 'not-on-stage':
      return `Train ${refusal.train} is not on stage yet (${refusal.step}): QA signs off a train once stage runs it.`;
    case 'in-production':
      return `Train ${refusal.train} is already in production: QA's sign-off is for the train on stage. For a problem in production, request a dot release with \`/release request-patch ${refusal.train}\`.`;
    case 'not-a-member':
      return "Only members of the release rotation, the engineering managers (`qa.managers`) and admins can record QA's sign-off. Ask an admin to add you.";
    case 'unreadable-button':
      return 'That button does not say which train it is about; use `/release qa` instead.';
  }
}

const EMOJI: Record<QaColour, string> = { green: ':large_green_circle:', yellow: ':large_yellow_circle:', red: ':red_circle:' };

function noteOf(signoff: QaSignoff): string {
  return signoff.note ? `: ${escapeTyped(signoff.note)}` : '';
}

export function dotReleaseButton(train: number): Block {
  return actions(`qa-dot:${train}`, [
    button({ actionId: QA_DOT_RELEASE_ACTION, text: `Request a dot release of train ${train}`, value: String(train) }),
  ]);
}

/**
 * The thread message: who signed off (named, not pinged: it was their own click), the colour, the note; for yellow
 * or red, who was told. `byName`: their display name (undefined when Slack knows none: then a mention).
 */
export function renderSignoffNotice(options: {
  signoff: QaSignoff;
  byName?: string | undefined;
  managersGroup: string | null;
  managers: string[];
}): {
  text: string;
  blocks: Block[];
} {
  const { signoff } = options;
  const by = actorText({ actor: signoff.by, actorName: options.byName });
  const line = `${EMOJI[signoff.colour]} QA signed off *train ${signoff.train}* on stage: *${signoff.colour}* (by ${by})${noteOf(signoff)}`;
  if (signoff.colour === 'green') return { text: line, blocks: [section(line)] };
  const group = options.managersGroup ? ` <!subteam^${options.managersGroup}>` : '';
  const told =
    options.managers.length > 0 || options.managersGroup
      ? `Engineering management is asked whether it needs a dot release.${group}`
      : 'No engineering managers are configured (`qa.managers`): decide with your manager whether it needs a dot release.';
  return { text: `${line}\n${told}`, blocks: [section(`${line}\n${told}`), dotReleaseButton(signoff.train)] };
}

/** The DM to each engineering manager after a yellow or red sign-off. */
export function renderManagerDm(options: { signoff: QaSignoff; threadUrl: string | null }): { text: string; blocks: Block[] } {
  const { signoff } = options;
  const where = options.threadUrl ? ` (${link(options.threadUrl, "the train's thread")})` : '';
  const text =
    `${EMOJI[signoff.colour]} QA's sign-off of *train ${signoff.train}* on stage is *${signoff.colour}* (by ${mentionUser(signoff.by)})${noteOf(signoff)}${where}. ` +
    'Does it need a dot release?';
  return { text, blocks: [section(text), dotReleaseButton(signoff.train)] };
}

/** The reply to whoever signed off. */
export function renderSignoffReply(options: { signoff: QaSignoff; told: number; group: boolean }): { text: string; blocks: Block[] } {
  const { signoff } = options;
  const recorded = `${EMOJI[signoff.colour]} Recorded QA's sign-off of train ${signoff.train}: *${signoff.colour}*${noteOf(signoff)}. It shows in \`/release status\`.`;
  if (signoff.colour === 'green') return { text: recorded, blocks: [section(recorded)] };
  const told =
    options.told > 0 || options.group
      ? ' I told the engineering managers.'
      : ' No engineering managers are configured (`qa.managers`), so nobody was told: talk to your manager.';
  const text = `${recorded}${told} If it needs a dot release, request one:`;
  return { text, blocks: [section(text), dotReleaseButton(signoff.train)] };
}
