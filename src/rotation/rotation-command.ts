/**
 * `/release rotation …`: see and edit who owns which train.
 *
 * Anyone may look (`show`) and set their own emoji and skips. Admins and the
 * current train's owner may edit the list, skip others, swap and override.
 * Every refusal says why; every reply is for the caller only.
 */
import type { AppDeps } from '../deps';
import type { CommandContext, Subcommand } from '../commands/router';
import { parseTrainArgument, positiveIdOf } from '../commands/parse-values';
import { InvalidInputError, PermissionDeniedError } from '../errors';
import { displayNames } from '../slack/directory';
import { escapeMrkdwn, mentionUser } from '../slack/mrkdwn';
import { formatInZones } from '../train/time-format';
import { isAway, type PlannedTrain } from './plan';
import {
  addRosterMember,
  addRosterSkip,
  importRoster,
  loadRoster,
  moveRosterMember,
  overrideTrainOwner,
  planFromSnapshot,
  removeRosterMember,
  setRosterEmoji,
  swapTrains,
  type NewMember,
  type RosterSnapshot,
  type StoredSkip,
} from './roster-store';

const USAGE = [
  '`/release rotation show`: the current owner, the next five, who is away and who handed a train on',
  '`/release rotation add @user [github-login]`: add someone at the end of the list',
  '`/release rotation remove @user`',
  '`/release rotation move @user &lt;position&gt;`',
  '`/release rotation skip @user &lt;train | from-date to-date&gt;`: away (dates as 2026-12-24)',
  '`/release rotation swap &lt;train&gt; &lt;train&gt;`: exchange two owners',
  '`/release rotation override &lt;train&gt; @user`: give one train to someone',
  '`/release rotation emoji :emoji:`: your emoji',
  '`/release rotation import @a [login-a] @b [login-b] …`: the first setup',
].join('\n');

const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMOJI = /^:[a-z0-9_+'-]+:$/;

function parseMention(arg: string | undefined, what = 'the person'): string {
  const match = arg ? MENTION.exec(arg) : null;
  if (!match?.[1]) {
    throw new InvalidInputError(
      `Mention ${what} with @ (for example \`@alice\`)${arg ? `; \`${escapeMrkdwn(arg)}\` is not a mention` : ''}.`,
    );
  }
  return match[1];
}

function parseTrain(arg: string | undefined): number {
  return parseTrainArgument(arg, USAGE);
}

/** How far ahead owners can be planned: beyond it a train is refused (planning it would walk every train in between). */
const MAX_TRAINS_AHEAD = 52;

/** A train from the one in progress to MAX_TRAINS_AHEAD after it; refused with the range otherwise. */
function requirePlannable(train: number, current: number): void {
  const range = `give a train from ${current} (in progress) to ${current + MAX_TRAINS_AHEAD}`;
  if (train < current)
    throw new InvalidInputError(`Train ${train} is in the past: train ${current} is the one in progress. Please ${range}.`);
  if (train > current + MAX_TRAINS_AHEAD) throw new InvalidInputError(`Train ${train} is too far ahead: ${range}.`);
}

function parseDate(arg: string): string {
  if (!DATE.test(arg) || Number.isNaN(Date.parse(`${arg}T00:00:00Z`)) || new Date(`${arg}T00:00:00Z`).toISOString().slice(0, 10) !== arg) {
    throw new InvalidInputError(`\`${escapeMrkdwn(arg)}\` is not a date; write it as 2026-12-24.`);
  }
  return arg;
}

/** The local date (YYYY-MM-DD) of `now` in `timeZone`. */
function localDate(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A local date (YYYY-MM-DD) as "Dec 20", with the year when it is not `today`'s year or the next. */
function shortDate(date: string, today: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const thisYear = Number(today.slice(0, 4));
  return `${MONTHS[month - 1]} ${day}${year === thisYear || year === thisYear + 1 ? '' : `, ${year}`}`;
}

/** A range of local dates as "Dec 20–Jan 3" (one day: "Dec 20"). */
function dateRange(fromDate: string, toDate: string, today: string): string {
  return fromDate === toDate ? shortDate(fromDate, today) : `${shortDate(fromDate, today)}–${shortDate(toDate, today)}`;
}

function refuse(reason: string): never {
  throw new PermissionDeniedError(reason);
}

export function createRotationSubcommand(deps: AppDeps): Subcommand {
  const { settings } = deps.config;

  async function currentOwner(now: Date): Promise<string | null> {
    const snapshot = await loadRoster(deps.db.prisma);
    const train = deps.calendar.trainInProgress(now).train;
    return planFromSnapshot(snapshot, deps.calendar, train, train)[0]?.slackUserId ?? null;
  }

  /** Admins and the current owner may edit; returns nothing or throws with the reason. */
  async function requireEditor(context: CommandContext, action: string): Promise<void> {
    if (await deps.admins.isAdmin(context.userId, context.now)) return;
    const owner = await currentOwner(context.now);
    if (owner === context.userId) return;
    refuse(
      `Only admins and the current release owner${owner ? ` (${mentionUser(owner)})` : ''} can ${action}. ` +
        'Ask one of them, or an admin can add you to `admins` in the settings.',
    );
  }

  async function lookUpMember(slackUserId: string, githubLogin: string | null): Promise<NewMember> {
    const user = await deps.slackDirectory.findUser(slackUserId);
    if (!user) throw new InvalidInputError(`I can't find ${mentionUser(slackUserId)} in this workspace. Mention someone who is in it.`);
    if (user.deleted) throw new InvalidInputError(`${mentionUser(slackUserId)} is not an active member of this workspace.`);
    if (user.isBot) throw new InvalidInputError(`${mentionUser(slackUserId)} is a bot; bots can't own trains.`);
    if (githubLogin !== null) {
      if (!GITHUB_LOGIN.test(githubLogin))
        throw new InvalidInputError(
          `\`${escapeMrkdwn(githubLogin)}\` is not a GitHub login: give letters, digits and single hyphens (up to 39, not at either end), e.g. \`alice-gh\`.`,
        );
      const found = await deps.github.getUser(githubLogin);
      if (!found) throw new InvalidInputError(`There is no GitHub user \`${escapeMrkdwn(githubLogin)}\`.`);
      githubLogin = found.login;
    }
    return {
      slackUserId,
      displayName: user.displayName,
      githubLogin,
      timeZone: user.timeZone,
    };
  }

  async function show(context: CommandContext): Promise<void> {
    const snapshot = await loadRoster(deps.db.prisma);
    if (snapshot.members.length === 0) {
      await context.respond({
        response_type: 'ephemeral',
        text:
          'No owner assigned: the roster is empty. An admin can set it up with ' +
          '`/release rotation import @alice alice-gh @bob bob-gh …` or `/release rotation add @user [github-login]`.',
      });
      return;
    }
    const current = deps.calendar.trainInProgress(context.now);
    const plan = planFromSnapshot(snapshot, deps.calendar, current.train, current.train + 5);
    const byId = new Map(snapshot.members.map((m) => [m.slackUserId, m]));
    const lines = plan.map((entry, index) => {
      const schedule = deps.calendar.getTrain(entry.train);
      const owner = entry.slackUserId
        ? `${mentionUser(entry.slackUserId)} ${byId.get(entry.slackUserId)?.emoji ?? ''}`.trim()
        : '_no owner assigned_';
      const flags = [entry.announced ? 'announced' : '', entry.source === 'override' || entry.source === 'swap' ? entry.source : '']
        .filter(Boolean)
        .join(', ');
      const label = index === 0 ? `*Train ${entry.train}* (now)` : `Train ${entry.train}`;
      return `${label}: ${owner}, cutoff ${formatInZones(schedule.cutoff, settings.displayTimeZones)}${flags ? ` _(${flags})_` : ''}`;
    });
    const list = snapshot.members
      .map(
        (m) =>
          `${m.position + 1}. ${mentionUser(m.slackUserId)}${m.emoji ? ` ${m.emoji}` : ''}${m.githubLogin ? ` (\`${escapeMrkdwn(m.githubLogin)}\`)` : ''}`,
      )
      .join('\n');
    const today = localDate(context.now, settings.timeZone);
    await context.respond({
      response_type: 'ephemeral',
      text: [`*Owners*\n${lines.join('\n')}`, `*The list*\n${list}`, ...(await skipLines(snapshot, plan, current.train, today))]
        .filter(Boolean)
        .join('\n\n'),
    });
  }

  /**
   * Who is passed over, by name (nobody is pinged): time away ("*Away*: @bob (Dec 20–Jan 3, train 305)") apart from
   * trains handed on at kickoff ("*Handed on train 304*: @alice"). Past skips are left out.
   */
  async function skipLines(snapshot: RosterSnapshot, plan: PlannedTrain[], currentTrain: number, today: string): Promise<string[]> {
    const current = (s: StoredSkip) => (s.train != null ? s.train >= currentTrain : (s.toDate ?? '') >= today);
    // Slack's current names (the roster's as recorded when Slack knows none).
    const names = await displayNames(
      deps,
      snapshot.skips.filter(current).map((s) => s.slackUserId),
    );
    const personLabel = (id: string) =>
      `@${escapeMrkdwn(names.get(id) ?? snapshot.members.find((m) => m.slackUserId === id)?.displayName ?? id)}`;
    const handedOn = new Map<number, string[]>();
    for (const skip of snapshot.skips) {
      if (skip.reason !== 'handed-on' || skip.train == null || !current(skip)) continue;
      const people = handedOn.get(skip.train) ?? [];
      if (!people.includes(personLabel(skip.slackUserId))) people.push(personLabel(skip.slackUserId));
      handedOn.set(skip.train, people);
    }
    const away = snapshot.members.flatMap((m) => {
      const skips = snapshot.skips.filter((s) => s.slackUserId === m.slackUserId && s.reason === 'away' && current(s));
      if (skips.length === 0) return [];
      const when = skips.map((s) => (s.train != null ? `train ${s.train}` : dateRange(s.fromDate ?? '', s.toDate ?? '', today)));
      const trains = plan
        .filter((p) => isAway(skips, m.slackUserId, p.train, deps.calendar.getTrain(p.train).cutDate))
        .map((p) => `train ${p.train}`)
        .filter((train) => !when.includes(train));
      return [`${personLabel(m.slackUserId)} (${[...when, ...trains].join(', ')})`];
    });
    return [
      ...[...handedOn.entries()].sort(([a], [b]) => a - b).map(([train, people]) => `*Handed on train ${train}*: ${people.join(', ')}`),
      away.length ? `*Away*: ${away.join(', ')}` : '',
    ];
  }

  // Every edit runs as a durable intent keyed by its trigger_id (src/commands/release-command.ts): a replay changes nothing twice.
  const intentKeyOf = (context: CommandContext) => `command:${context.triggerId}`;
  const actions: Record<string, (context: CommandContext, args: string[]) => Promise<string>> = {
    async add(context, args) {
      await requireEditor(context, 'add people to the rotation');
      const slackUserId = parseMention(args[0]);
      const member = await lookUpMember(slackUserId, args[1] ?? null);
      const added = await addRosterMember({
        prisma: deps.db.prisma,
        actor: context.userId,
        intentKey: intentKeyOf(context),
        now: context.now,
        member,
        startTrain: deps.calendar.trainInProgress(context.now).train,
      });
      return `Added ${mentionUser(slackUserId)} at position ${added.position + 1}.`;
    },
    async remove(context, args) {
      await requireEditor(context, 'remove people from the rotation');
      const slackUserId = parseMention(args[0]);
      await removeRosterMember({
        prisma: deps.db.prisma,
        actor: context.userId,
        intentKey: intentKeyOf(context),
        now: context.now,
        slackUserId,
      });
      return `Removed ${mentionUser(slackUserId)} from the rotation. Trains already announced for them stay theirs.`;
    },
    async move(context, args) {
      await requireEditor(context, 'reorder the rotation');
      const slackUserId = parseMention(args[0]);
      // 0 is a number, out of range (positions start at 1): the store says so.
      const position = args[1] === '0' ? 0 : positiveIdOf(args[1]);
      if (position === null) throw new InvalidInputError('Give the new position as a number, e.g. `/release rotation move @alice 2`.');
      await moveRosterMember({
        prisma: deps.db.prisma,
        actor: context.userId,
        intentKey: intentKeyOf(context),
        now: context.now,
        slackUserId,
        position,
      });
      return `Moved ${mentionUser(slackUserId)} to position ${position}.`;
    },
    async skip(context, args) {
      const slackUserId = parseMention(args[0]);
      if (slackUserId !== context.userId) await requireEditor(context, "record someone else's time away");
      const current = deps.calendar.trainInProgress(context.now).train;
      if (args.length === 2) {
        const train = parseTrain(args[1]);
        requirePlannable(train, current);
        await addRosterSkip({
          prisma: deps.db.prisma,
          actor: context.userId,
          intentKey: intentKeyOf(context),
          now: context.now,
          slackUserId,
          skip: { train },
        });
        return `${mentionUser(slackUserId)} will skip train ${train}; they get the next train they can take.`;
      }
      if (args.length === 3) {
        const fromDate = parseDate(args[1] as string);
        const toDate = parseDate(args[2] as string);
        if (fromDate > toDate)
          throw new InvalidInputError(`The range is reversed: ${fromDate} is after ${toDate}. Give the first day away, then the last.`);
        const today = localDate(context.now, settings.timeZone);
        if (toDate < today) throw new InvalidInputError(`${toDate} is in the past (today is ${today}). Give a last day from today on.`);
        await addRosterSkip({
          prisma: deps.db.prisma,
          actor: context.userId,
          intentKey: intentKeyOf(context),
          now: context.now,
          slackUserId,
          skip: { fromDate, toDate },
        });
        return `${mentionUser(slackUserId)} is away from ${fromDate} to ${toDate}; trains cut then go to the next person.`;
      }
      throw new InvalidInputError('Give one train (`skip @alice 305`) or two dates (`skip @alice 2026-12-24 2027-01-04`).');
    },
    async swap(context, args) {
      await requireEditor(context, 'swap trains');
      const [a, b] = [parseTrain(args[0]), parseTrain(args[1])];
      const current = deps.calendar.trainInProgress(context.now).train;
      for (const train of [a, b]) requirePlannable(train, current);
      const { owners } = await swapTrains({
        prisma: deps.db.prisma,
        calendar: deps.calendar,
        actor: context.userId,
        intentKey: intentKeyOf(context),
        now: context.now,
        trains: [a, b],
      });
      return `Swapped: train ${a} is now ${mentionUser(owners[0] ?? '')}'s and train ${b} is ${mentionUser(owners[1] ?? '')}'s.`;
    },
    async override(context, args) {
      await requireEditor(context, "change a train's owner");
      const train = parseTrain(args[0]);
      const slackUserId = parseMention(args[1]);
      const current = deps.calendar.trainInProgress(context.now).train;
      requirePlannable(train, current);
      await overrideTrainOwner({
        prisma: deps.db.prisma,
        actor: context.userId,
        intentKey: intentKeyOf(context),
        now: context.now,
        train,
        slackUserId,
      });
      return `Train ${train} now belongs to ${mentionUser(slackUserId)}.`;
    },
    async emoji(context, args) {
      const emoji = args[0] ?? '';
      if (!EMOJI.test(emoji)) throw new InvalidInputError('Give one emoji code, e.g. `/release rotation emoji :metal:`.');
      await setRosterEmoji({
        prisma: deps.db.prisma,
        actor: context.userId,
        intentKey: intentKeyOf(context),
        now: context.now,
        slackUserId: context.userId,
        emoji,
      });
      return `Your emoji is now ${emoji}.`;
    },
    async import(context, args) {
      if (!(await deps.admins.isAdmin(context.userId, context.now))) refuse('Only admins can import the roster.');
      const entries: Array<{ slackUserId: string; githubLogin: string | null }> = [];
      for (const arg of args.flatMap((a) => a.split(',')).filter(Boolean)) {
        if (MENTION.test(arg)) entries.push({ slackUserId: parseMention(arg), githubLogin: null });
        else if (entries.length > 0 && (entries.at(-1) as { githubLogin: string | null }).githubLogin === null) {
          (entries.at(-1) as { githubLogin: string | null }).githubLogin = arg;
        } else throw new InvalidInputError(`\`${escapeMrkdwn(arg)}\` does not follow a mention; write \`@alice alice-gh @bob bob-gh\`.`);
      }
      if (entries.length === 0)
        throw new InvalidInputError('List the members in order: `/release rotation import @alice alice-gh @bob bob-gh`.');
      const members: NewMember[] = [];
      for (const entry of entries) members.push(await lookUpMember(entry.slackUserId, entry.githubLogin));
      const count = await importRoster({
        prisma: deps.db.prisma,
        actor: context.userId,
        intentKey: intentKeyOf(context),
        now: context.now,
        members,
        startTrain: deps.calendar.trainInProgress(context.now).train,
      });
      return `Imported ${count} members; ${mentionUser(members[0]?.slackUserId ?? '')} owns train ${deps.calendar.trainInProgress(context.now).train}.`;
    },
  };
  const maxArgs: Record<string, number> = { add: 2, remove: 1, move: 2, skip: 3, swap: 2, override: 2, emoji: 1 };

  return {
    name: 'rotation',
    usage: 'rotation [show | add | remove | move | skip | swap | override | emoji | import]',
    summary: 'who owns which train, and changes to the list',
    maxArgs: Number.POSITIVE_INFINITY,
    // Every action but show and help edits the roster: recorded as a durable intent before the ack (src/slack/intents.ts).
    mutates: (args) => !['show', 'help'].includes((args[0] ?? 'show').toLowerCase()),
    async run(context) {
      const [action = 'show', ...args] = context.args;
      const name = action.toLowerCase();
      if (name === 'show' || name === 'help') {
        if (name === 'help' || args.length > 0) {
          await context.respond({ response_type: 'ephemeral', text: `*/release rotation*\n${USAGE}` });
          return;
        }
        await show(context);
        return;
      }
      // Own keys only: `constructor`, `__proto__` and the like are not actions.
      const handler = Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (!handler) {
        throw new InvalidInputError(`I don't know \`rotation ${escapeMrkdwn(action)}\`.\n${USAGE}`);
      }
      const limit = Object.hasOwn(maxArgs, name) ? maxArgs[name] : undefined;
      if (limit !== undefined && args.length > limit) {
        throw new InvalidInputError(`Too many words after \`rotation ${name}\`.\n${USAGE}`);
      }
      const text = await handler(context, args);
      await context.respond({ response_type: 'ephemeral', text: `:white_check_mark: ${text}` });
    },
  };
}
