/**
 * `/release notes …`: deploy notes for the train in progress.
 *
 * - `add <text>`: a note; `sre <text>`: a special step flagged for SRE (anyone);
 * - `list [train]`: the notes of a train (default: the one in progress);
 * - `remove <id>`: by the note's author, the train's owner or an admin, until
 *   the train is tagged.
 * "The train" is the one in progress, except between a train's cutoff and its
 * tag: then notes go to the train being cut (its deploy is what they are
 * for), and the reply says so.
 * Notes show in `/release status` and in the cutoff message.
 */
import type { AppDeps } from '../deps';
import type { CommandContext, Subcommand } from '../commands/router';
import { positiveIdOf } from '../commands/parse-values';
import { InvalidInputError, PermissionDeniedError } from '../errors';
import { GitHubError } from '../github/errors';
import { findTrainBeingCut } from '../reminders/train-being-cut';
import { escapeMrkdwn, escapeTyped, mentionUser } from '../slack/mrkdwn';
import type { TrainSchedule } from '../train/calendar';
import { findOwnerOfTrain } from '../rotation/owner';
import { formatInZones } from '../train/time-format';
import { addNote, findNote, listNotes, removeNote } from './notes-store';
import { renderNoteLines } from './notes-view';

const USAGE = [
  '`/release notes add &lt;text&gt;`: a deploy note for the train in progress',
  '`/release notes sre &lt;text&gt;`: a special step, flagged for SRE',
  '`/release notes list [train]`: the notes of a train',
  '`/release notes remove &lt;id&gt;`: yours (the owner and admins may remove any)',
].join('\n');

/** Slack sends `&`, `<` and `>` typed in a command as entities; the note keeps what was typed (escaped again when shown). */
function typedText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The text after the verb, as typed. */
function textAfterVerb(rest: string, verb: string): string {
  const trimmed = rest.trim();
  return trimmed.slice(trimmed.toLowerCase().indexOf(verb) + verb.length).trim();
}

function parseWholeNumber(arg: string | undefined, what: string): number {
  const n = positiveIdOf(arg);
  if (n === null) throw new InvalidInputError(`Give ${what} as a number${arg ? `, not \`${escapeMrkdwn(arg)}\`` : ''}.`);
  return n;
}

export function createNotesSubcommand(deps: AppDeps): Subcommand {
  const { settings } = deps.config;

  /** The train being cut at `now`: asks GitHub for its tag, or goes by the bot's own record when GitHub cannot answer. */
  async function beingCut(now: Date): Promise<TrainSchedule | null> {
    try {
      return await findTrainBeingCut({ deps, now, askGitHub: true });
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      deps.logger.warn({ err: error }, 'notes: GitHub did not say whether the cut train is tagged; going by the bot’s record');
      return findTrainBeingCut({ deps, now });
    }
  }

  /** The train notes go to: the one being cut, else the one in progress. */
  async function notesTrain(now: Date): Promise<{ train: number; inCut: boolean }> {
    const cut = await beingCut(now);
    return cut ? { train: cut.train, inCut: true } : { train: deps.calendar.trainInProgress(now).train, inCut: false };
  }

  async function add(context: CommandContext, forSre: boolean): Promise<string> {
    const verb = forSre ? 'sre' : 'add';
    const text = typedText(textAfterVerb(context.rest, verb));
    const { train, inCut } = await notesTrain(context.now);
    const note = await addNote({
      prisma: deps.db.prisma,
      train,
      text,
      forSre,
      authorSlackId: context.userId,
      now: context.now,
      intentKey: `command:${context.triggerId}`,
    });
    return (
      `:white_check_mark: ${forSre ? 'Special step for SRE' : 'Deploy note'} \`${note.id}\` added to train ${train}: ` +
      `${escapeTyped(note.text)}\n` +
      (inCut
        ? `Train ${train} is being cut (its cutoff has passed and it is not tagged yet), so the note is for its deploy. ` +
          `Meant for train ${train + 1}? Remove it with \`/release notes remove ${note.id}\` and add it again once train ${train} is tagged.`
        : `It shows in \`/release status\` and in the cutoff message. Remove it with \`/release notes remove ${note.id}\`.`)
    );
  }

  async function list(context: CommandContext): Promise<string> {
    if (context.args.length > 2) throw new InvalidInputError(`\`notes list\` takes at most a train number.\n${USAGE}`);
    const current =
      context.args[1] === undefined ? (await notesTrain(context.now)).train : deps.calendar.trainInProgress(context.now).train;
    const train = context.args[1] === undefined ? current : parseWholeNumber(context.args[1], 'the train');
    const notes = await listNotes(deps.db.prisma, train);
    if (notes.length === 0)
      return `No deploy notes for train ${train}${train === current ? ' yet. Add one with `/release notes add &lt;text&gt;`' : ''}.`;
    const sre = notes.filter((n) => n.forSre).length;
    return `*Deploy notes for train ${train}* (${notes.length}${sre > 0 ? `, ${sre} for SRE` : ''}):\n${renderNoteLines(notes, { withIds: true }).join('\n')}`;
  }

  async function remove(context: CommandContext): Promise<string> {
    if (context.args.length !== 2) throw new InvalidInputError(`Name one note by its number, e.g. \`/release notes remove 12\`.\n${USAGE}`);
    const id = parseWholeNumber(context.args[1], 'the note');
    const note = await findNote({ prisma: deps.db.prisma, id });
    if (!note) throw new InvalidInputError(`There is no deploy note \`${id}\`. \`/release notes list\` shows them with their numbers.`);
    const schedule = deps.calendar.getTrain(note.train);
    if (context.now >= schedule.cutoff && (await beingCut(context.now))?.train !== note.train) {
      throw new InvalidInputError(
        `Train ${note.train} was cut at ${formatInZones(schedule.cutoff, settings.displayTimeZones)} and is tagged; its notes are history now.`,
      );
    }
    if (note.authorSlackId !== context.userId) {
      const owner = await findOwnerOfTrain(deps, note.train);
      if (owner !== context.userId && !(await deps.admins.isAdmin(context.userId, context.now))) {
        throw new PermissionDeniedError(
          `Only ${mentionUser(note.authorSlackId)}, who wrote note \`${id}\`, the owner of train ${note.train}` +
            `${owner ? ` (${mentionUser(owner)})` : ''} or an admin can remove it.`,
        );
      }
    }
    const removed = await removeNote({ prisma: deps.db.prisma, note, actor: context.userId, now: context.now });
    if (!removed) return `Note \`${id}\` was removed already.`;
    return `:wastebasket: Removed note \`${id}\` from train ${note.train}: ${escapeTyped(note.text)}`;
  }

  return {
    name: 'notes',
    usage: 'notes [add <text> | sre <text> | list [train] | remove <id>]',
    summary: 'deploy notes for the train in progress; special steps flagged for SRE',
    maxArgs: Number.POSITIVE_INFINITY,
    // add, sre and remove change the notes: recorded as a durable intent before the ack (src/slack/intents.ts).
    mutates: (args) => ['add', 'sre', 'remove'].includes((args[0] ?? 'list').toLowerCase()),
    async run(context) {
      const verb = (context.args[0] ?? 'list').toLowerCase();
      let text: string;
      if (verb === 'add' || verb === 'sre') text = await add(context, verb === 'sre');
      else if (verb === 'list') text = await list(context);
      else if (verb === 'remove') text = await remove(context);
      else if (verb === 'help') text = `*/release notes*\n${USAGE}`;
      else throw new InvalidInputError(`I don't know \`notes ${escapeMrkdwn(verb)}\`.\n${USAGE}`);
      await context.respond({ response_type: 'ephemeral', text });
    },
  };
}
