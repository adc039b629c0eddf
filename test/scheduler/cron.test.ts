import { getTasks } from 'node-cron';
import { createScheduler, type ScheduledJob } from '../../src/scheduler';
import { openTestDatabase, silentLogger, type TestDatabase } from '../support/database';
import { calendar, cutoffAnnouncement, manualClock, MINUTE, HOUR, plus, SECOND, type ChannelDeps, type Posted } from './helpers';

let test: TestDatabase;

beforeAll(async () => {
  test = await openTestDatabase();
});

afterAll(async () => {
  await test.drop();
});

function schedulerTasks(instanceId: string) {
  return [...getTasks().values()].filter((task) => task.name === `scheduler:${instanceId}`);
}

describe('start() and stop() with node-cron', () => {
  it('start catches up a fire within grace, then the minute tick runs later fires; stop removes the tick', async () => {
    const first = calendar.getTrain(304);
    const second = calendar.getTrain(305);
    const channel: Posted[] = [];
    const clock = manualClock(plus(first.cutoff, 10 * SECOND));
    const scheduler = createScheduler({
      jobs: [cutoffAnnouncement({ name: 'cron-announcement', graceMs: 2 * HOUR })],
      deps: { channel },
      sql: test.db.sql,
      logger: silentLogger,
      now: clock.now,
      instanceId: 'cron-replica',
    });

    try {
      const catchUp = await scheduler.start({ timeZone: 'America/Los_Angeles' });
      expect(catchUp.ran).toEqual([{ job: 'cron-announcement', scheduledAt: first.cutoff, attempt: 1 }]);
      expect(channel.map((m) => m.text)).toEqual([':train: Tagging train 304 now']);
      await expect(scheduler.start({ timeZone: 'America/Los_Angeles' })).rejects.toThrow('already started');

      // The minute tick node-cron registered: every minute, in the team's zone.
      const [task] = schedulerTasks('cron-replica');
      expect(task?.getPattern()).toBe('* * * * *');
      expect(task?.getStatus()).toBe('idle');

      // Two weeks later: the minute tick (run now rather than waited for) reads the clock and posts the next cutoff.
      clock.set(plus(second.cutoff, 20 * SECOND));
      const report: unknown = await task?.execute();
      expect(report).toMatchObject({ now: clock.now(), ran: [{ job: 'cron-announcement', scheduledAt: second.cutoff, attempt: 1 }] });
      expect(channel.map((m) => m.text)).toEqual([':train: Tagging train 304 now', ':train: Tagging train 305 now']);
    } finally {
      await scheduler.stop();
    }
    expect(schedulerTasks('cron-replica')).toEqual([]);
    await scheduler.stop();
  });

  it('stop waits for the tick in progress to finish its post', async () => {
    const cutoff = calendar.getTrain(306).cutoff;
    const channel: Posted[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started: () => void = () => undefined;
    const runStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const job = cutoffAnnouncement({
      name: 'slow-announcement',
      graceMs: HOUR,
      before: async () => {
        started();
        await gate;
      },
    });
    const scheduler = createScheduler({
      jobs: [job],
      deps: { channel },
      sql: test.db.sql,
      logger: silentLogger,
      now: () => plus(cutoff, MINUTE),
      instanceId: 'slow',
    });

    const catchUp = scheduler.start({ timeZone: 'America/New_York' });
    await runStarted;
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    expect(schedulerTasks('slow')).toEqual([]);

    release();
    await stopping;
    expect(channel.map((m) => m.text)).toEqual([':train: Tagging train 306 now']);
    expect((await catchUp).ran).toHaveLength(1);
    const rows = await test.db.sql.query<{ status: string }>(`SELECT status FROM job_runs WHERE job = 'slow-announcement'`);
    expect(rows).toEqual([{ status: 'done' }]);
  });

  it('refuses an unknown time zone without scheduling anything', async () => {
    const job: ScheduledJob<ChannelDeps> = cutoffAnnouncement({ name: 'never', graceMs: HOUR });
    const scheduler = createScheduler({
      jobs: [job],
      deps: { channel: [] },
      sql: test.db.sql,
      logger: silentLogger,
      now: () => calendar.getTrain(301).cutoff,
      instanceId: 'bad-zone',
    });
    await expect(scheduler.start({ timeZone: 'America/Springfield' })).rejects.toThrow('unknown time zone "America/Springfield"');
    expect(schedulerTasks('bad-zone')).toEqual([]);
    await scheduler.stop();
  });
});
