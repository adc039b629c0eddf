/**
 * The fake Socket Mode endpoint refuses what Slack refuses: a ticket is good for one connection, and an
 * envelope the client does not ack within 3 s fails the send (Slack would show the person an error). Checked
 * with a bare WebSocket client, not the bot.
 */
import { WebSocket } from 'ws';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-server';
import { ACK_TIMEOUT_MS, startFakeSocketMode, type FakeSocketMode } from '../fakes/slack-socket';

describe('the fake Socket Mode endpoint', () => {
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  const clients: WebSocket[] = [];
  beforeAll(async () => {
    slack = await startFakeSlack();
    socket = await startFakeSocketMode({ slack });
  });
  afterAll(async () => {
    for (const client of clients) client.terminate();
    await socket.close();
    await slack.close();
  });

  const openUrl = async (): Promise<string> => {
    const response = await fetch(`${slack.apiUrl}apps.connections.open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${socket.appToken}` },
    });
    const body = (await response.json()) as { ok: boolean; url: string };
    expect(body.ok).toBe(true);
    return body.url;
  };
  /** Connects and resolves with the first message (hello) or the close code. */
  const connect = (url: string): Promise<{ client: WebSocket; first: Record<string, unknown> | number }> =>
    new Promise((resolve, reject) => {
      const client = new WebSocket(url);
      clients.push(client);
      client.once('message', (data) => resolve({ client, first: JSON.parse(data.toString()) as Record<string, unknown> }));
      client.once('close', (code) => resolve({ client, first: code }));
      client.once('error', reject);
    });

  test('says hello with the app id; a ticket is good for one connection', async () => {
    const url = await openUrl();
    const { first } = await connect(url);
    expect(first).toMatchObject({ type: 'hello', num_connections: 1, connection_info: { app_id: slack.appId } });
    const again = await connect(url);
    expect(again.first).toBe(4001);
    expect(socket.connections).toHaveLength(1);
  });

  test('an envelope not acked within 3 s fails the send; one acked resolves with its payload', async () => {
    const [client] = clients;
    if (!client) throw new Error('the first test connects');
    await expect(socket.send('slash_commands', { command: '/release', text: 'status' })).rejects.toThrow(`did not ack envelope`);
    expect(ACK_TIMEOUT_MS).toBe(3000);
    client.on('message', (data) => {
      const envelope = JSON.parse(data.toString()) as { envelope_id: string };
      client.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'ok' } }));
    });
    await expect(socket.send('slash_commands', { command: '/release', text: 'help' })).resolves.toEqual({ text: 'ok' });
    const [unacked, acked] = socket.envelopes;
    expect(unacked).toMatchObject({ type: 'slash_commands', accepts_response_payload: true });
    expect(socket.acksOf(unacked?.envelope_id ?? '')).toEqual([]);
    expect(socket.acksOf(acked?.envelope_id ?? '')).toHaveLength(1);
  });
});
