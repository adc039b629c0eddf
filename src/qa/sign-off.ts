/**
 * QA's sign-off of a train on stage: green, yellow or red, with a note.
 * Recorded (who, when, colour, note; audited), said in the train's thread;
 * yellow or red tells the engineering managers (`qa.managers` by DM, the
 * `qa.managersUsergroup` by a mention in the thread) and offers a dot-release
 * request for the train.
 */
import type { AppDeps } from '../deps';
import { InvalidInputError, PermissionDeniedError } from '../errors';
import { loadRoster } from '../rotation/roster-store';
import type { Block } from '../slack/blocks';
import { nameOf } from '../slack/directory';
import { findTrainOnStage, listReleasesOfTrain } from '../tagging/release-store';
import { describeState } from '../tagging/states';
import { ensureTrainThread } from '../tagging/train-thread';
import { findQaSignoffOfIntent, type QaColour, type QaSignoff, recordQaSignoff } from './qa-store';
import { type QaRefusal, renderManagerDm, renderQaRefusal, renderSignoffNotice, renderSignoffReply } from './qa-view';

function refuse(refusal: QaRefusal): never {
  throw new InvalidInputError(renderQaRefusal(refusal));
}

/** Members of the rotation, the engineering managers and admins may sign off. */
async function requireMember(deps: AppDeps, userId: string, now: Date): Promise<void> {
  if (deps.config.settings.qa.managers.includes(userId)) return;
  if (await deps.admins.isAdmin(userId, now)) return;
  const roster = await loadRoster(deps.db.prisma);
  if (roster.members.some((member) => member.slackUserId === userId)) return;
  throw new PermissionDeniedError(renderQaRefusal({ kind: 'not-a-member' }));
}

/** The train QA signs off: the one given (it must be on stage), or the one on stage. */
async function trainToSignOff(deps: AppDeps, train: number | null): Promise<number> {
  if (train === null) {
    const onStage = await findTrainOnStage(deps.db.prisma);
    if (onStage === null) refuse({ kind: 'nothing-on-stage' });
    return onStage;
  }
  const releases = await listReleasesOfTrain(deps.db.prisma, train);
  if (releases.length === 0) refuse({ kind: 'not-cut', train });
  if (releases.some((release) => release.state === 'on_stage')) return train;
  if (releases.some((release) => release.state === 'in_production')) refuse({ kind: 'in-production', train });
  const latest = releases[0];
  refuse({ kind: 'not-on-stage', train, step: latest ? describeState(latest.state, latest.tag) : 'not tagged' });
}

/** Reads a colour as typed (any case); null when it is not one. */
export function parseColour(typed: string | undefined): QaColour | null {
  const word = (typed ?? '').toLowerCase();
  return word === 'green' || word === 'yellow' || word === 'red' ? word : null;
}

/** A sign-off asked for: by whom, when, the colour, the train (null: the one on stage), the note, and the durable request's key. */
interface SignOffRequest {
  deps: AppDeps;
  userId: string;
  now: Date;
  colour: QaColour;
  train: number | null;
  note: string | null;
  intentKey?: string | undefined;
}

/** The sign-off to tell about: the one a replay's first attempt recorded, else a new one (checked first). */
async function recordOrFind(options: SignOffRequest): Promise<QaSignoff> {
  const { deps, userId, now, colour, note, intentKey } = options;
  // A replay after the commit: told (once, by the messages' keys) as the first attempt would, whatever the train did since.
  const recorded = intentKey === undefined ? null : await findQaSignoffOfIntent(deps.db.prisma, intentKey);
  if (recorded) return recorded;
  await requireMember(deps, userId, now);
  const train = await trainToSignOff(deps, options.train);
  return recordQaSignoff({ prisma: deps.db.prisma, train, colour, note, by: userId, now, intentKey });
}

/**
 * Records a sign-off and tells whoever must know. Returns the reply to the person. `intentKey`: the durable
 * request's (`/release qa` and the QA buttons are recorded as intents before their ack, src/slack/intents.ts):
 * its replay records nothing twice and posts nothing twice.
 */
export async function signOffQa(options: SignOffRequest): Promise<{ text: string; blocks: Block[] }> {
  const { deps, userId, now } = options;
  // Named in the thread (their own click), asked of Slack before anything is recorded.
  const byName = await nameOf(deps, userId);
  const signoff = await recordOrFind(options);
  const { train, colour } = signoff;
  const { qa } = deps.config.settings;
  const managers = colour === 'green' ? [] : qa.managers;
  const group = colour === 'green' ? null : (qa.managersUsergroup ?? null);
  const thread = await ensureTrainThread({ deps, train, now });
  await deps.messenger.postOnce({
    key: `qa:signoff:${signoff.id}`,
    about: { train, kind: 'qa-signoff' },
    to: { channel: thread.channel },
    threadTs: thread.ts,
    message: renderSignoffNotice({ signoff, byName, managersGroup: group, managers }),
    now,
  });
  const threadUrl = `https://slack.com/archives/${thread.channel}/p${thread.ts.replace('.', '')}`;
  // One DM per manager; the one who signed off is not told about their own sign-off.
  for (const manager of new Set(managers.filter((id) => id !== userId))) {
    await deps.messenger.postOnce({
      key: `qa:managers:${signoff.id}:${manager}`,
      about: { train, kind: 'qa-managers' },
      to: { user: manager },
      message: renderManagerDm({ signoff, threadUrl }),
      now,
    });
  }
  return renderSignoffReply({ signoff, told: managers.length, group: group !== null });
}

/** Why a sign-off with nothing typed but the colour is refused: `parseColour` said no. */
export function refuseColour(typed: string | undefined): never {
  refuse(typed ? { kind: 'unknown-colour', typed } : { kind: 'no-colour' });
}

/** A button's value unreadable. */
export function refuseButton(): never {
  refuse({ kind: 'unreadable-button' });
}
