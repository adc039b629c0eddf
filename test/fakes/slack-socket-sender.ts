// The request sender of test/fakes/slack-client.ts, delivering over Socket Mode instead of HTTP: the same
// payloads (built by the HTTP sender from the same fixtures), sent as envelopes on the fake socket
// (test/fakes/slack-socket.ts), answered with the bot's ack. A test written against `SlackRequestSender`
// runs unchanged in both modes: the ack's payload stands for the HTTP response's body (empty when the bot
// acked with nothing, as Bolt's HTTP receiver answers then), and status is 200 once the bot acked.
import { performance } from 'node:perf_hooks';
import type { EventCallbackEnvelope, SendOptions, SlackEvent, SlackHttpResponse, SlackRequestSender } from './slack-client';
import type { EnvelopeType, FakeSocketMode } from './slack-socket';

export function createSocketModeSender(socket: FakeSocketMode, http: SlackRequestSender): SlackRequestSender {
  const deliver = async (type: EnvelopeType, payload: object, send: SendOptions = {}): Promise<SlackHttpResponse> => {
    const started = performance.now();
    const ack = await socket.send(type, { ...payload }, send.retryNum !== undefined ? { retryAttempt: send.retryNum } : {});
    const body = Object.keys(ack).length === 0 ? '' : JSON.stringify(ack);
    return {
      status: 200,
      headers: {},
      body,
      json: () => {
        if (body === '') throw new Error('the bot acked the envelope with no payload');
        return ack;
      },
      elapsedMs: performance.now() - started,
      request: { body: JSON.stringify(payload), headers: {} },
    };
  };
  const noHttp = (): never => {
    throw new Error('Socket Mode has no HTTP requests to sign or send (url_verification, raw bodies)');
  };
  const isEnvelope = (value: SlackEvent | EventCallbackEnvelope): value is EventCallbackEnvelope =>
    value.type === 'event_callback' && 'event' in value;
  return {
    ...http,
    sendSlashCommand: (input, send) => deliver('slash_commands', http.slashCommandFields(input), send),
    sendSlashCommandFields: (fields, send) => deliver('slash_commands', fields, send),
    sendBlockActions: (payload, send) => deliver('interactive', payload, send),
    sendViewSubmission: (payload, send) => deliver('interactive', payload, send),
    sendViewClosed: (payload, send) => deliver('interactive', payload, send),
    sendEvent: (event, send = {}) => {
      const { eventId, eventTime, ...rest } = send;
      const envelope = isEnvelope(event)
        ? event
        : http.eventEnvelope(event, { ...(eventId !== undefined ? { eventId } : {}), ...(eventTime !== undefined ? { eventTime } : {}) });
      return deliver('events_api', envelope, rest);
    },
    sendUrlVerification: noHttp,
    sendRaw: noHttp,
  };
}
