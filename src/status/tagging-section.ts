/**
 * The dashboard's lines about the cuts: the latest cut's step (since when,
 * and its thread), and where each recent train is: building, cut, on stage
 * (with QA's colour) or in production. From the database only: the watcher
 * keeps the releases as GitHub, stage and production say they are.
 */
import type { AppDeps } from '../deps';
import { latestQaSignoffs, type QaColour } from '../qa/qa-store';
import { context, section, type Block } from '../slack/blocks';
import { escapeMrkdwn, slackDate } from '../slack/mrkdwn';
import { findLatestRelease, findTrainThread, listRecentTrainReleases, type TagRelease } from '../tagging/release-store';
import { describeState } from '../tagging/states';

/** How many trains the dashboard places (the newest ones the bot cut or watched). */
const PLACED_TRAINS = 3;

export type TrainPlace = 'building' | 'cut' | 'on stage' | 'in production';

export interface PlacedTrain {
  train: number;
  place: TrainPlace;
  /** QA's latest sign-off of the train, when there is one. */
  qa: QaColour | null;
}

export interface TaggingStep {
  train: number;
  tag: string;
  state: string;
  since: Date;
  lastError: string | null;
  thread: { channel: string; ts: string } | null;
  /** The train main is building (after the newest cut), then the recent trains, newest first. */
  trains?: PlacedTrain[];
}

/** Where a train is, by its releases (any of them in production, or on stage). */
export function placeOf(releases: TagRelease[]): TrainPlace {
  if (releases.some((release) => release.state === 'in_production')) return 'in production';
  if (releases.some((release) => release.state === 'on_stage')) return 'on stage';
  return 'cut';
}

async function placeTrains(deps: AppDeps): Promise<PlacedTrain[]> {
  const releases = await listRecentTrainReleases(deps.db.prisma, PLACED_TRAINS);
  const trains = [...new Set(releases.map((release) => release.train))];
  const qa = await latestQaSignoffs(deps.db.prisma, trains);
  const placed = trains.map((train) => ({
    train,
    place: placeOf(releases.filter((release) => release.train === train)),
    qa: qa.get(train)?.colour ?? null,
  }));
  const newest = trains[0];
  return newest === undefined ? [] : [{ train: newest + 1, place: 'building', qa: null }, ...placed];
}

/** The latest release the bot cut or watched, or null when there is none. */
export async function loadTaggingStep(deps: AppDeps): Promise<TaggingStep | null> {
  const release = await findLatestRelease(deps.db.prisma);
  if (!release) return null;
  const [thread, trains] = await Promise.all([findTrainThread({ prisma: deps.db.prisma, train: release.train }), placeTrains(deps)]);
  return {
    train: release.train,
    tag: release.tag,
    state: release.state,
    since: release.stateSince,
    lastError: release.lastError,
    thread: thread ? { channel: thread.channel, ts: thread.ts } : null,
    trains,
  };
}

const QA_EMOJI: Record<QaColour, string> = { green: ':large_green_circle:', yellow: ':large_yellow_circle:', red: ':red_circle:' };

function placeLine(train: PlacedTrain): string {
  const qa = train.place === 'on stage' ? (train.qa ? `, QA ${QA_EMOJI[train.qa]} ${train.qa}` : ', QA not signed off yet') : '';
  return `${train.train}: ${train.place}${qa}`;
}

export function renderTaggingSection(step: TaggingStep): Block[] {
  const since = slackDate(step.since, '{date_short_pretty} at {time}', step.since.toISOString());
  const thread = step.thread ? ` · <https://slack.com/archives/${step.thread.channel}/p${step.thread.ts.replace('.', '')}|thread>` : '';
  const blocks: Block[] = [
    section(`*Train ${step.train}'s cut:* ${describeState(step.state, escapeMrkdwn(step.tag))} (since ${since})${thread}`),
  ];
  if (step.trains && step.trains.length > 0) blocks.push(section(`*Trains:* ${step.trains.map(placeLine).join(' · ')}`));
  if (step.lastError) blocks.push(context(`Last problem while watching: ${escapeMrkdwn(step.lastError)}`));
  return blocks;
}
