/**
 * The cutoff reminders' scheduled jobs, each fire computed from the train
 * calendar: the check-in, the PR sweeps, the last call, the cutoff message,
 * and the follow-up after the cutoff (chasing an untagged train, SRE at the tag). A job that
 * throws is retried by the scheduler within `reminderGraceMinutes`; its last
 * attempt tells people instead (the owner hears that a sweep could not run;
 * the check-in and cutoff message go out with what is known).
 */
import type { AppDeps } from '../deps';
import type { Settings } from '../config';
import type { JobRunContext, ScheduledJob } from '../scheduler';
import type { TrainCalendar, TrainSchedule } from '../train/calendar';
import { isLastAttempt } from './attempts';
import { postCheckIn } from './check-in';
import { postCutoffMessage, SWEEP_JOB } from './cutoff-message';
import { FOLLOW_UP_EVERY_MINUTES, followUpCut, followUpFiresBetween, pruneFollowUpFires } from './cut-follow-up';
import { postLastCall } from './last-call';
import { checkInAt, reminderFiresBetween, sweepsOf, trainFiringAt } from './schedule';
import { runSweep } from './sweep';

export const CHECK_IN_JOB = 'cutoff-check-in';
export const CUTOFF_MESSAGE_JOB = 'cutoff-message';
export const LAST_CALL_JOB = 'last-call';
export const CUT_FOLLOW_UP_JOB = 'cut-follow-up';
export { SWEEP_JOB };

export function createReminderJobs(options: { calendar: TrainCalendar; settings: Settings }): Array<ScheduledJob<AppDeps>> {
  const { calendar, settings } = options;
  const graceMs = settings.reminderGraceMinutes * 60_000;

  const job = (
    name: string,
    fireOf: (train: TrainSchedule) => Date[],
    run: (deps: AppDeps, fire: { train: number; scheduledAt: Date; now: Date; lastAttempt: boolean }) => Promise<unknown>,
  ): ScheduledJob<AppDeps> => ({
    name,
    graceMs,
    firesBetween: (from, to) => reminderFiresBetween({ calendar, settings, from, to, fireOf }).map((fire) => fire.at),
    async run(deps, context: JobRunContext) {
      const train = trainFiringAt({ calendar, settings, scheduledAt: context.scheduledAt, fireOf });
      await run(deps, { train, scheduledAt: context.scheduledAt, now: context.now, lastAttempt: isLastAttempt({ context, graceMs }) });
    },
  });

  return [
    job(
      CHECK_IN_JOB,
      (train) => [checkInAt(train, settings)],
      (deps, fire) => postCheckIn({ deps, ...fire }),
    ),
    job(
      SWEEP_JOB,
      (train) => sweepsOf(train, settings),
      (deps, fire) => runSweep({ deps, ...fire }),
    ),
    job(
      LAST_CALL_JOB,
      (train) =>
        settings.lastCallMinutesBeforeCutoff > 0 ? [new Date(train.cutoff.getTime() - settings.lastCallMinutesBeforeCutoff * 60_000)] : [],
      (deps, fire) => postLastCall({ deps, ...fire }),
    ),
    job(
      CUTOFF_MESSAGE_JOB,
      (train) => [train.cutoff],
      (deps, fire) => postCutoffMessage({ deps, ...fire }),
    ),
    {
      name: CUT_FOLLOW_UP_JOB,
      // A missed look is the next look's work: never recorded as missed.
      graceMs: FOLLOW_UP_EVERY_MINUTES * 60_000,
      lookbackMs: FOLLOW_UP_EVERY_MINUTES * 60_000,
      firesBetween: (from, to) => followUpFiresBetween(calendar, from, to).map((fire) => fire.at),
      async run(deps, context) {
        const fires = followUpFiresBetween(calendar, new Date(context.scheduledAt.getTime() - 1), context.scheduledAt);
        for (const fire of fires) await followUpCut({ deps, train: fire.train, now: context.now });
        if (context.scheduledAt.getTime() % (60 * 60_000) === 0) await pruneFollowUpFires(deps, CUT_FOLLOW_UP_JOB, context.now);
      },
    },
  ];
}
