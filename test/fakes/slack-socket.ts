// Plays Slack's side of Socket Mode, as @slack/socket-mode (under Bolt's SocketModeReceiver) expects it:
//
// - `apps.connections.open` on the fake Web API (test/fakes/slack-server.ts) takes the app-level token
//   (`xapp-…`) only (a bot token gets `not_allowed_token_type`, as on Slack) and returns a one-use
//   `ws://127.0.0.1:<port>/link/?ticket=…&app_id=…` URL;
// - on connecting, the socket sends `{"type":"hello", …}`; then the test sends envelopes
//   (`slash_commands`, `interactive`, `events_api`) with an `envelope_id`, and the bot must answer each on the
//   socket with `{"envelope_id": …, "payload"?: …}` within 3 s (Slack's limit). Every ack is recorded, late
//   and repeated ones too;
// - `disconnect()` sends `{"type":"disconnect","reason":…}` (Slack refreshing a connection, or warning that it
//   will close it); `drop()` ends the TCP connection without a close frame. Either way the client should call
//   `apps.connections.open` again and reconnect.
//
//   const slack = await startFakeSlack();
//   const socket = await startFakeSocketMode({ slack });        // SLACK_APP_TOKEN=socket.appToken
//   … start the bot …
//   await socket.waitForConnections(1);
//   const ack = await socket.send('slash_commands', sender.slashCommandFields({ text: 'status' }));
//
// Nothing here reaches the internet.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { FakeSlack } from './slack-server';

/** Slack's limit for acknowledging an envelope. */
export const ACK_TIMEOUT_MS = 3000;

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketAck {
  envelopeId: string;
  /** The connection it came on (1 for the first connection…). */
  connection: number;
  /** `payload` of the ack; `{}` when the bot sent none. */
  payload: Record<string, unknown>;
  /** ms after the envelope was sent. */
  afterMs: number;
}

export interface SocketConnection {
  /** 1 for the first connection, 2 for the next… */
  readonly number: number;
  readonly ticket: string;
  readonly open: boolean;
}

export interface FakeSocketMode {
  /** The app-level token `apps.connections.open` accepts: give it to the bot as SLACK_APP_TOKEN. */
  readonly appToken: string;
  /** Every connection the bot made, in order. */
  readonly connections: readonly SocketConnection[];
  /** Connections open now. */
  openConnections(): SocketConnection[];
  /** Resolves once `count` connections have been opened in all (the hello sent on the last one). */
  waitForConnections(count: number, timeoutMs?: number): Promise<SocketConnection[]>;
  /** Every envelope sent, in order. */
  readonly envelopes: readonly SocketEnvelope[];
  /** Every ack received (including late ones and repeats), in arrival order. */
  readonly acks: readonly SocketAck[];
  /** Acks received for one envelope. */
  acksOf(envelopeId: string): SocketAck[];
  /** Messages the bot sent that were not acks of a known envelope (must stay empty). */
  readonly strayMessages: readonly string[];
  /**
   * Sends an envelope on the newest open connection and resolves with the bot's ack payload; rejects when none
   * comes within 3 s (Slack would show the user an error, or retry an event).
   */
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    options?: { envelopeId?: string; retryAttempt?: number },
  ): Promise<Record<string, unknown>>;
  /** Sends `{"type":"disconnect","reason":…}` on every open connection, as Slack does before closing one. */
  disconnect(reason: 'refresh_requested' | 'warning' | 'link_disabled'): void;
  /** Ends every open connection abruptly (no close frame), as a network failure would. */
  drop(): void;
  /** Ends every connection and stops the WebSocket server; envelopes still waiting for an ack are rejected. */
  close(): Promise<void>;
}

/**
 * Serves `apps.connections.open` on `options.slack` and the WebSocket it hands out. `options.appToken`
 * defaults to a realistic `xapp-1-…` token.
 */
export async function startFakeSocketMode(options: { slack: FakeSlack; appToken?: string }): Promise<FakeSocketMode> {
  const appToken = options.appToken ?? 'xapp-1-A0FAKEAPP01-1234567890123-fakeappleveltoken';
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  const tickets = new Set<string>();
  const connections: Array<SocketConnection & { socket: WebSocket }> = [];
  const envelopes: SocketEnvelope[] = [];
  const acks: SocketAck[] = [];
  const strayMessages: string[] = [];
  const sentAt = new Map<string, number>();
  const pending = new Map<
    string,
    { resolve: (payload: Record<string, unknown>) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >();
  const connectionWaiters = new Set<() => void>();
  let closed = false;

  options.slack.serveAppLevelMethod('apps.connections.open', appToken, () => {
    const ticket = randomUUID();
    tickets.add(ticket);
    return { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${options.slack.appId}` };
  });

  server.on('connection', (socket, request) => {
    const url = new URL(request.url ?? '/', 'ws://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    // A ticket from apps.connections.open is good for one connection.
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.close(4001, 'invalid ticket');
      return;
    }
    const connection = {
      number: connections.length + 1,
      ticket,
      socket,
      get open() {
        return socket.readyState === WebSocket.OPEN;
      },
    };
    connections.push(connection);
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        strayMessages.push(text);
        return;
      }
      const record = typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : {};
      const envelopeId = typeof record.envelope_id === 'string' ? record.envelope_id : undefined;
      const started = envelopeId ? sentAt.get(envelopeId) : undefined;
      if (!envelopeId || started === undefined) {
        strayMessages.push(text);
        return;
      }
      const payload = typeof record.payload === 'object' && record.payload !== null ? (record.payload as Record<string, unknown>) : {};
      acks.push({ envelopeId, connection: connection.number, payload, afterMs: Date.now() - started });
      const waiter = pending.get(envelopeId);
      if (waiter) {
        pending.delete(envelopeId);
        clearTimeout(waiter.timer);
        waiter.resolve(payload);
      }
    });
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: connections.filter((c) => c.open).length,
        debug_info: { host: 'applink-fake-1', build_number: 118, approximate_connection_time: 18060 },
        connection_info: { app_id: options.slack.appId },
      }),
    );
    for (const wake of [...connectionWaiters]) wake();
  });

  const openConnections = () => connections.filter((c) => c.open);
  const view = (c: SocketConnection & { socket: WebSocket }): SocketConnection => ({
    number: c.number,
    ticket: c.ticket,
    get open() {
      return c.open;
    },
  });

  return {
    appToken,
    get connections() {
      return connections.map(view);
    },
    openConnections: () => openConnections().map(view),
    waitForConnections: (count, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (connections.length < count) return;
          connectionWaiters.delete(check);
          clearTimeout(timer);
          resolve(connections.map(view));
        };
        const timer = setTimeout(() => {
          connectionWaiters.delete(check);
          reject(new Error(`waiting for ${count} Socket Mode connection(s); got ${connections.length}`));
        }, timeoutMs);
        connectionWaiters.add(check);
        check();
      }),
    envelopes,
    acks,
    acksOf: (envelopeId) => acks.filter((a) => a.envelopeId === envelopeId),
    strayMessages,
    send: (type, payload, sendOptions = {}) => {
      const connection = openConnections().at(-1);
      if (!connection) return Promise.reject(new Error('no open Socket Mode connection to send an envelope on'));
      const envelope: SocketEnvelope = {
        envelope_id: sendOptions.envelopeId ?? randomUUID(),
        type,
        payload,
        // Slack accepts a response in the ack for commands and view submissions, not for events or block actions.
        accepts_response_payload: type === 'slash_commands' || (type === 'interactive' && payload.type === 'view_submission'),
        ...(type === 'events_api'
          ? { retry_attempt: sendOptions.retryAttempt ?? 0, retry_reason: sendOptions.retryAttempt ? 'timeout' : '' }
          : {}),
      };
      envelopes.push(envelope);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(envelope.envelope_id);
          reject(new Error(`the bot did not ack envelope ${envelope.envelope_id} (${type}) within ${ACK_TIMEOUT_MS} ms`));
        }, ACK_TIMEOUT_MS);
        pending.set(envelope.envelope_id, { resolve, reject, timer });
        sentAt.set(envelope.envelope_id, Date.now());
        connection.socket.send(JSON.stringify(envelope));
      });
    },
    disconnect: (reason) => {
      for (const c of openConnections()) {
        c.socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake-1' } }));
      }
    },
    drop: () => {
      for (const c of openConnections()) c.socket.terminate();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const [envelopeId, waiter] of pending) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`fake Socket Mode was closed while envelope ${envelopeId} waited for its ack`));
      }
      pending.clear();
      for (const c of connections) c.socket.terminate();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
