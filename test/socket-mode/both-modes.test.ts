/**
 * The same scenarios (scenarios.ts) in HTTP mode (signed requests to /slack/events) and in Socket Mode (the
 * bot connects with its app token to the fake socket of test/fakes/slack-socket.ts and acks every envelope
 * on it): a person sees the same answers either way. In Socket Mode, every envelope is acked exactly once,
 * within Slack's 3 s, and nothing else is sent on the socket.
 */
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { ACK_TIMEOUT_MS, startFakeSocketMode, type FakeSocketMode } from '../fakes/slack-socket';
import { startScene, type Scene } from '../patches/helpers';
import { SCENARIOS } from './scenarios';

describe.each(['http', 'socket'] as const)('in %s mode', (mode) => {
  let scene: Scene;
  let slack: FakeSlack | undefined;
  let socket: FakeSocketMode | undefined;

  beforeAll(async () => {
    if (mode === 'socket') {
      slack = await startFakeSlack();
      socket = await startFakeSocketMode({ slack });
    }
    scene = await startScene({ harness: slack && socket ? { slack, socketMode: socket } : {} });
  });
  afterAll(async () => {
    await scene?.close();
    await socket?.close();
    await slack?.close();
  });

  test('the bot is in the mode under test', () => {
    expect(scene.h.bot.app.mode).toBe(mode);
    if (socket) {
      // apps.connections.open was called with the app-level token, never the bot token.
      expect(scene.h.slack.callsTo('apps.connections.open').map((c) => c.token)).toEqual([socket.appToken]);
      expect(socket.openConnections()).toHaveLength(1);
    }
  });

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await scenario.run(scene);
  });

  test(
    mode === 'socket' ? 'every envelope was acked once, in time, and nothing else was sent on the socket' : 'no socket was asked for',
    () => {
      if (!socket) {
        expect(scene.h.slack.callsTo('apps.connections.open')).toEqual([]);
        return;
      }
      const { envelopes, acks } = socket;
      expect(envelopes.length).toBeGreaterThanOrEqual(6);
      for (const envelope of envelopes) {
        const its = socket.acksOf(envelope.envelope_id);
        expect(its).toHaveLength(1);
        expect(its[0]?.afterMs).toBeLessThan(ACK_TIMEOUT_MS);
      }
      expect(acks).toHaveLength(envelopes.length);
      expect(socket.strayMessages).toEqual([]);
    },
  );
});
