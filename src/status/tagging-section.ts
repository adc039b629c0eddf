/** The dashboard's line about the latest cut: which step it is at, since when, and where its thread is. */
import type { AppDeps } from '../deps';
import { context, section, type Block } from '../slack/blocks';
import { escapeMrkdwn, slackDate } from '../slack/mrkdwn';
import { findLatestRelease, findTrainThread } from '../tagging/release-store';
import { describeState } from '../tagging/states';

export interface TaggingStep {
  train: number;
  tag: string;
  state: string;
  since: Date;
  lastError: string | null;
  thread: { channel: string; ts: string } | null;
}

/** The latest release the bot cut or watched, or null when there is none. */
export async function loadTaggingStep(deps: AppDeps): Promise<TaggingStep | null> {
  const release = await findLatestRelease(deps.db.prisma);
  if (!release) return null;
  const thread = await findTrainThread({ prisma: deps.db.prisma, train: release.train });
  return {
    train: release.train,
    tag: release.tag,
    state: release.state,
    since: release.stateSince,
    lastError: release.lastError,
    thread: thread ? { channel: thread.channel, ts: thread.ts } : null,
  };
}

export function renderTaggingSection(step: TaggingStep): Block[] {
  const since = slackDate(step.since, '{date_short_pretty} at {time}', step.since.toISOString());
  const thread = step.thread ? ` · <https://slack.com/archives/${step.thread.channel}/p${step.thread.ts.replace('.', '')}|thread>` : '';
  const blocks: Block[] = [
    section(`*Train ${step.train}'s cut:* ${describeState(step.state, escapeMrkdwn(step.tag))} (since ${since})${thread}`),
  ];
  if (step.lastError) blocks.push(context(`Last problem while watching: ${escapeMrkdwn(step.lastError)}`));
  return blocks;
}
