// Plays Slack's side of the Events / Interactivity / Slash command HTTP
// requests: builds real-shaped payloads (starting from the documented
// examples in test/fixtures/slack/), signs them with Slack's v0 scheme and
// POSTs them to the bot's `/slack/events`.
//
//   const slack = await startFakeSlack();
//   const sender = createSlackRequestSender({
//     eventsUrl: `http://127.0.0.1:${port}/slack/events`,
//     signingSecret,
//     responseUrlFor: slack.responseUrl,   // response_urls served by the fake Web API
//   });
//   const res = await sender.sendSlashCommand({ text: 'status', userId: 'U123' });
//   expect(res.status).toBe(200);
//
// Nothing here reaches the internet: without `responseUrlFor`, response_urls
// point at a closed loopback port.
import { createHmac } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import appHomeOpenedFixture from '../fixtures/slack/app-home-opened.json';
import blockActionsFixture from '../fixtures/slack/block-actions.json';
import slashCommandFixture from '../fixtures/slack/slash-command.json';
import viewClosedFixture from '../fixtures/slack/view-closed.json';
import viewSubmissionFixture from '../fixtures/slack/view-submission.json';
import type { ResponseUrlOrigin, SlackOption, SlackStateValue, SlackStateValues, SlackView } from '../support/slack-wire';
import { readBody } from '../support/http';
import { FAKE_SLACK_DEFAULTS } from './slack-defaults';

// ---------------------------------------------------------------------------
// Payload types (the parts of Slack's shapes that the builders produce)

export interface SlackTeamRef {
  id: string;
  domain: string;
}

export interface SlackUserRef {
  id: string;
  username: string;
  name: string;
  team_id: string;
}

export type { SlackOption, SlackStateValue, SlackStateValues } from '../support/slack-wire';

export type SlackViewPayload = SlackView;

export interface SlackBlockAction {
  action_id: string;
  block_id: string;
  type: string;
  action_ts: string;
  text?: { type: string; text: string; emoji?: boolean };
  value?: string;
  selected_option?: SlackOption;
  selected_user?: string;
  [key: string]: unknown;
}

export interface BlockActionsPayload {
  type: 'block_actions';
  user: SlackUserRef;
  api_app_id: string;
  token: string;
  container: Record<string, unknown>;
  trigger_id: string;
  team: SlackTeamRef;
  enterprise: { id: string; name: string } | null;
  is_enterprise_install: boolean;
  channel?: { id: string; name: string };
  message?: Record<string, unknown>;
  view?: SlackViewPayload;
  state?: { values: SlackStateValues };
  response_url?: string;
  actions: SlackBlockAction[];
}

export interface ViewSubmissionPayload {
  type: 'view_submission';
  team: SlackTeamRef;
  user: SlackUserRef;
  api_app_id: string;
  token: string;
  trigger_id: string;
  view: SlackViewPayload;
  response_urls: Array<{ block_id: string; action_id: string; channel_id: string; response_url: string }>;
  is_enterprise_install: boolean;
  enterprise: { id: string; name: string } | null;
}

export interface ViewClosedPayload {
  type: 'view_closed';
  team: SlackTeamRef;
  user: SlackUserRef;
  api_app_id: string;
  token: string;
  view: SlackViewPayload;
  is_cleared: boolean;
  is_enterprise_install: boolean;
  enterprise: { id: string; name: string } | null;
}

export interface SlackEvent {
  type: string;
  [key: string]: unknown;
}

export interface AppHomeOpenedEvent extends SlackEvent {
  type: 'app_home_opened';
  user: string;
  channel: string;
  tab: 'home' | 'messages';
  view?: SlackViewPayload;
  event_ts: string;
}

export interface EventCallbackEnvelope {
  token: string;
  team_id: string;
  api_app_id: string;
  event: SlackEvent;
  type: 'event_callback';
  event_id: string;
  event_time: number;
  authorizations: Array<{
    enterprise_id: string | null;
    team_id: string;
    user_id: string;
    is_bot: boolean;
    is_enterprise_install: boolean;
  }>;
  is_ext_shared_channel: boolean;
  event_context: string;
}

/** The form fields of a slash command request. */
export type SlashCommandFields = Record<string, string>;

// ---------------------------------------------------------------------------
// Sender types

export type { ResponseUrlOrigin } from '../support/slack-wire';

export interface SlackRequestSenderOptions {
  /** e.g. http://127.0.0.1:PORT/slack/events */
  eventsUrl: string;
  signingSecret: string;
  /** Makes the response_url for a command / action; pass the fake Web API's `responseUrl`. */
  responseUrlFor?: (id: string, origin: ResponseUrlOrigin) => string;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  /** The (deprecated) verification token Slack puts in payloads. */
  verificationToken?: string;
  /** The bot user in event `authorizations`. */
  botUserId?: string;
  /** Clock for X-Slack-Request-Timestamp (ms). Default Date.now. */
  now?: () => number;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
}

export interface SendOptions {
  retryNum?: number;
  retryReason?: string;
  /** X-Slack-Request-Timestamp (and the signed timestamp); default now. */
  timestampSeconds?: number;
  /** A literal X-Slack-Signature; null omits the header. Default: a correct signature. */
  signature?: string | null;
  /** Sign with this secret instead (to sign wrongly). */
  signingSecret?: string;
  /** Extra or overriding headers. */
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface SlackHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON (throws with the body in the message if it is not JSON). */
  json(): unknown;
  elapsedMs: number;
  /** What was sent. */
  request: { body: string; headers: Record<string, string> };
}

export interface SlashCommandInput {
  text: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  command?: string;
  triggerId?: string;
  responseUrl?: string;
  teamId?: string;
}

export interface BlockActionsInput {
  userId: string;
  actionId: string;
  value?: string;
  blockId?: string;
  userName?: string;
  /** Message source (default): the channel and ts of the message holding the button. */
  channelId?: string;
  channelName?: string;
  messageTs?: string;
  /** The message holding the button (default: the fixture's message with `messageTs`). */
  message?: Record<string, unknown>;
  responseUrl?: string;
  triggerId?: string;
  /** View source (App Home or modal): no channel, message or response_url. */
  view?: Partial<SlackViewPayload> & { id: string };
  /** Element type, default 'button'. */
  actionType?: string;
  selectedOption?: SlackOption;
  selectedUser?: string;
  stateValues?: SlackStateValues;
}

export interface ViewSubmissionInput {
  userId: string;
  callbackId: string;
  privateMetadata?: string;
  /** `view.state.values[blockId][actionId]`; a plain string means a plain_text_input value. */
  values: Record<string, Record<string, SlackStateValue | string>>;
  viewId?: string;
  hash?: string;
  externalId?: string;
  blocks?: unknown[];
  userName?: string;
  triggerId?: string;
  responseUrls?: ViewSubmissionPayload['response_urls'];
}

export interface ViewClosedInput {
  userId: string;
  callbackId: string;
  privateMetadata?: string;
  viewId?: string;
  userName?: string;
  isCleared?: boolean;
}

export interface AppHomeOpenedInput {
  userId: string;
  tab?: 'home' | 'messages';
  /** IM channel with the app; default 'D' + user id without its first letter (as the fake Web API). */
  channel?: string;
  /** The currently published home view, if any (Slack omits `view` on the first visit). */
  view?: Partial<SlackViewPayload> & { id: string };
  eventTs?: string;
}

export interface EventSendOptions extends SendOptions {
  eventId?: string;
  eventTime?: number;
}

export interface SlackRequestSender {
  readonly eventsUrl: string;
  signRequest(rawBody: string, timestampSeconds: number, signingSecret?: string): string;

  slashCommandFields(input: SlashCommandInput): SlashCommandFields;
  blockActionsPayload(input: BlockActionsInput): BlockActionsPayload;
  viewSubmissionPayload(input: ViewSubmissionInput): ViewSubmissionPayload;
  viewClosedPayload(input: ViewClosedInput): ViewClosedPayload;
  appHomeOpenedEvent(input: AppHomeOpenedInput): AppHomeOpenedEvent;
  eventEnvelope(event: SlackEvent, options?: { eventId?: string; eventTime?: number }): EventCallbackEnvelope;

  sendSlashCommand(input: SlashCommandInput, options?: SendOptions): Promise<SlackHttpResponse>;
  /** Sends exactly these form fields (e.g. from `slashCommandFields`, to replay one delivery). */
  sendSlashCommandFields(fields: SlashCommandFields, options?: SendOptions): Promise<SlackHttpResponse>;
  sendBlockActions(payload: BlockActionsPayload, options?: SendOptions): Promise<SlackHttpResponse>;
  sendViewSubmission(payload: ViewSubmissionPayload, options?: SendOptions): Promise<SlackHttpResponse>;
  sendViewClosed(payload: ViewClosedPayload, options?: SendOptions): Promise<SlackHttpResponse>;
  /** Wraps an event in an event_callback envelope (or sends an envelope as is). */
  sendEvent(event: SlackEvent | EventCallbackEnvelope, options?: EventSendOptions): Promise<SlackHttpResponse>;
  sendUrlVerification(challenge: string, options?: SendOptions): Promise<SlackHttpResponse>;
  /** Any body, signed like the others. */
  sendRaw(body: string, contentType: string, options?: SendOptions): Promise<SlackHttpResponse>;
}

// ---------------------------------------------------------------------------

/** `view.state.values` entries in Slack's shapes. */
export const stateValue = {
  text: (value: string | null): SlackStateValue => ({ type: 'plain_text_input', value }),
  staticSelect: (value: string | null, text: string = value ?? ''): SlackStateValue => ({
    type: 'static_select',
    selected_option: value === null ? null : option(value, text),
  }),
  multiStaticSelect: (values: string[]): SlackStateValue => ({
    type: 'multi_static_select',
    selected_options: values.map((v) => option(v, v)),
  }),
  radioButtons: (value: string | null, text: string = value ?? ''): SlackStateValue => ({
    type: 'radio_buttons',
    selected_option: value === null ? null : option(value, text),
  }),
  checkboxes: (values: string[]): SlackStateValue => ({ type: 'checkboxes', selected_options: values.map((v) => option(v, v)) }),
  usersSelect: (userId: string | null): SlackStateValue => ({ type: 'users_select', selected_user: userId }),
  multiUsersSelect: (userIds: string[]): SlackStateValue => ({ type: 'multi_users_select', selected_users: userIds }),
  conversationsSelect: (id: string | null): SlackStateValue => ({ type: 'conversations_select', selected_conversation: id }),
  channelsSelect: (id: string | null): SlackStateValue => ({ type: 'channels_select', selected_channel: id }),
  datePicker: (isoDate: string | null): SlackStateValue => ({ type: 'datepicker', selected_date: isoDate }),
  timePicker: (hhmm: string | null): SlackStateValue => ({ type: 'timepicker', selected_time: hhmm }),
  url: (value: string | null): SlackStateValue => ({ type: 'url_text_input', value }),
  number: (value: string | null): SlackStateValue => ({ type: 'number_input', value }),
};

function option(value: string, text: string): SlackOption {
  return { text: { type: 'plain_text', text, emoji: true }, value };
}

// Module-wide so two senders in one test file never hand out the same ids.
let sequence = 0;
const next = (): number => {
  sequence += 1;
  return sequence;
};

const clone = <T>(value: T): T => structuredClone(value);

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

export function createSlackRequestSender(options: SlackRequestSenderOptions): SlackRequestSender {
  const teamId = options.teamId ?? FAKE_SLACK_DEFAULTS.teamId;
  const teamDomain = options.teamDomain ?? FAKE_SLACK_DEFAULTS.teamDomain;
  const apiAppId = options.apiAppId ?? FAKE_SLACK_DEFAULTS.apiAppId;
  const verificationToken = options.verificationToken ?? FAKE_SLACK_DEFAULTS.verificationToken;
  const botUserId = options.botUserId ?? FAKE_SLACK_DEFAULTS.botUserId;
  const now = options.now ?? Date.now;
  const team: SlackTeamRef = { id: teamId, domain: teamDomain };

  const userRef = (id: string, name?: string): SlackUserRef => {
    const username = name ?? `user.${id.toLowerCase()}`;
    return { id, username, name: username, team_id: teamId };
  };
  const newTriggerId = (): string => {
    const n = next();
    return `1337.42.${n}${hex(n * 2654435761, 8).slice(-8)}`;
  };
  const newResponseUrl = (kind: string, origin: ResponseUrlOrigin): string => {
    const id = `${kind}-${next()}`;
    return options.responseUrlFor ? options.responseUrlFor(id, origin) : `http://127.0.0.1:9/response/${id}`;
  };
  const actionTs = (): string => `${Math.floor(now() / 1000)}.${String(next()).padStart(6, '0')}`;

  const signRequest = (rawBody: string, timestampSeconds: number, signingSecret: string = options.signingSecret): string =>
    `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex')}`;

  const sendRaw = (body: string, contentType: string, send: SendOptions = {}): Promise<SlackHttpResponse> => {
    const timestamp = send.timestampSeconds ?? Math.floor(now() / 1000);
    const signature = send.signature === undefined ? signRequest(body, timestamp, send.signingSecret) : send.signature;
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      Accept: '*/*',
      'X-Slack-Request-Timestamp': String(timestamp),
      ...(signature !== null ? { 'X-Slack-Signature': signature } : {}),
      ...(send.retryNum !== undefined ? { 'X-Slack-Retry-Num': String(send.retryNum) } : {}),
      ...(send.retryNum !== undefined || send.retryReason !== undefined
        ? { 'X-Slack-Retry-Reason': send.retryReason ?? 'http_timeout' }
        : {}),
      ...send.headers,
    };
    const timeoutMs = send.timeoutMs ?? options.timeoutMs ?? 10_000;
    const started = performance.now();
    return new Promise<SlackHttpResponse>((resolve, reject) => {
      // agent: false: one connection per request, closed afterwards (no keep-alive sockets left for Jest).
      const req = request(options.eventsUrl, { method: 'POST', headers, agent: false }, (res) => {
        readBody(res).then((text) => {
          const status = res.statusCode ?? 0;
          resolve({
            status,
            headers: res.headers,
            body: text,
            json: () => {
              try {
                return JSON.parse(text) as unknown;
              } catch {
                throw new Error(`response from ${options.eventsUrl} is not JSON (HTTP ${status}): ${JSON.stringify(text.slice(0, 500))}`);
              }
            },
            elapsedMs: performance.now() - started,
            request: { body, headers },
          });
        }, reject);
      });
      req.setTimeout(timeoutMs, () => {
        req.destroy(new Error(`no response from ${options.eventsUrl} within ${timeoutMs} ms`));
      });
      req.on('error', reject);
      req.end(body);
    });
  };

  const sendForm = (fields: Record<string, string>, send?: SendOptions): Promise<SlackHttpResponse> =>
    sendRaw(new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', send);

  const sendPayload = (payload: object, send?: SendOptions): Promise<SlackHttpResponse> =>
    sendForm({ payload: JSON.stringify(payload) }, send);

  const slashCommandFields = (input: SlashCommandInput): SlashCommandFields => {
    const base: SlashCommandFields = clone(slashCommandFixture);
    const userId = input.userId ?? 'U0ENGINEER1';
    const channelId = input.channelId ?? 'C0FXATEAM1';
    return {
      ...base,
      token: verificationToken,
      team_id: input.teamId ?? teamId,
      team_domain: teamDomain,
      channel_id: channelId,
      channel_name: input.channelName ?? (channelId.startsWith('D') ? 'directmessage' : 'fxa-team'),
      user_id: userId,
      user_name: input.userName ?? `user.${userId.toLowerCase()}`,
      command: input.command ?? '/release',
      text: input.text,
      api_app_id: apiAppId,
      is_enterprise_install: 'false',
      response_url: input.responseUrl ?? newResponseUrl('command', { channel: channelId, user: userId }),
      trigger_id: input.triggerId ?? newTriggerId(),
    };
  };

  const viewPayload = (base: SlackViewPayload, override: Partial<SlackViewPayload> & { id: string }): SlackViewPayload => ({
    ...base,
    team_id: teamId,
    app_id: apiAppId,
    app_installed_team_id: teamId,
    root_view_id: override.id,
    previous_view_id: null,
    ...override,
  });

  const blockActionsPayload = (input: BlockActionsInput): BlockActionsPayload => {
    const fixture = clone(blockActionsFixture);
    const [fixtureAction] = fixture.actions;
    const blockId = input.blockId ?? fixtureAction?.block_id ?? 'actions';
    const action: SlackBlockAction = {
      action_id: input.actionId,
      block_id: blockId,
      type: input.actionType ?? 'button',
      action_ts: actionTs(),
      ...((input.actionType ?? 'button') === 'button' ? { text: { type: 'plain_text', text: input.actionId, emoji: true } } : {}),
      ...(input.value !== undefined ? { value: input.value } : {}),
      ...(input.selectedOption !== undefined ? { selected_option: input.selectedOption } : {}),
      ...(input.selectedUser !== undefined ? { selected_user: input.selectedUser } : {}),
    };
    const common = {
      type: 'block_actions' as const,
      user: userRef(input.userId, input.userName),
      api_app_id: apiAppId,
      token: verificationToken,
      trigger_id: input.triggerId ?? newTriggerId(),
      team,
      enterprise: null,
      is_enterprise_install: false,
      actions: [action],
    };
    if (input.view) {
      // From App Home or a modal: the container is the view; Slack sends no response_url.
      const baseView = viewPayload(clone(viewSubmissionFixture.view), input.view);
      const values = input.stateValues ?? baseView.state.values;
      return {
        ...common,
        container: { type: 'view', view_id: baseView.id },
        view: { ...baseView, state: { values } },
        state: { values },
      };
    }
    const channelId = input.channelId ?? 'C0FXATEAM1';
    const messageTs = input.messageTs ?? fixture.container.message_ts;
    const message = input.message ?? { ...fixture.message, ts: messageTs, team: teamId, app_id: apiAppId };
    return {
      ...common,
      container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
      channel: { id: channelId, name: input.channelName ?? (channelId.startsWith('D') ? 'directmessage' : 'fxa-team') },
      message,
      state: { values: input.stateValues ?? {} },
      response_url: input.responseUrl ?? newResponseUrl('action', { channel: channelId, ts: messageTs, user: input.userId }),
    };
  };

  const toStateValues = (values: ViewSubmissionInput['values']): SlackStateValues => {
    const result: SlackStateValues = {};
    for (const [blockId, actions] of Object.entries(values)) {
      const block: Record<string, SlackStateValue> = {};
      for (const [actionId, value] of Object.entries(actions)) block[actionId] = typeof value === 'string' ? stateValue.text(value) : value;
      result[blockId] = block;
    }
    return result;
  };

  const viewSubmissionPayload = (input: ViewSubmissionInput): ViewSubmissionPayload => {
    const fixture = clone(viewSubmissionFixture);
    const id = input.viewId ?? `V0${hex(next(), 9).toUpperCase()}`;
    const view = viewPayload(fixture.view, {
      id,
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata ?? '',
      state: { values: toStateValues(input.values) },
      hash: input.hash ?? fixture.view.hash,
      external_id: input.externalId ?? '',
      ...(input.blocks !== undefined ? { blocks: input.blocks } : {}),
    });
    return {
      ...fixture,
      type: 'view_submission',
      team,
      user: userRef(input.userId, input.userName),
      api_app_id: apiAppId,
      token: verificationToken,
      trigger_id: input.triggerId ?? newTriggerId(),
      view,
      response_urls: input.responseUrls ?? [],
      enterprise: null,
    };
  };

  const viewClosedPayload = (input: ViewClosedInput): ViewClosedPayload => {
    const fixture = clone(viewClosedFixture);
    const view = viewPayload(fixture.view, {
      id: input.viewId ?? `V0${hex(next(), 9).toUpperCase()}`,
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata ?? '',
    });
    return {
      ...fixture,
      type: 'view_closed',
      team,
      user: userRef(input.userId, input.userName),
      api_app_id: apiAppId,
      token: verificationToken,
      view,
      is_cleared: input.isCleared ?? false,
      enterprise: null,
    };
  };

  const appHomeOpenedEvent = (input: AppHomeOpenedInput): AppHomeOpenedEvent => {
    const { view: fixtureView, ...fixtureEvent } = clone(appHomeOpenedFixture.event);
    const event: AppHomeOpenedEvent = {
      ...fixtureEvent,
      type: 'app_home_opened',
      user: input.userId,
      channel: input.channel ?? `D${input.userId.replace(/^[UW]/, '')}`,
      tab: input.tab ?? 'home',
      event_ts: input.eventTs ?? actionTs(),
    };
    if (input.view) {
      const base: SlackViewPayload = { ...fixtureView, type: 'home', blocks: [], previous_view_id: null };
      event.view = viewPayload(base, input.view);
    }
    return event;
  };

  const eventEnvelope = (event: SlackEvent, envelope: { eventId?: string; eventTime?: number } = {}): EventCallbackEnvelope => {
    const fixture = clone(appHomeOpenedFixture);
    return {
      ...fixture,
      token: verificationToken,
      team_id: teamId,
      api_app_id: apiAppId,
      event,
      type: 'event_callback',
      event_id: envelope.eventId ?? `Ev0${hex(next(), 9).toUpperCase()}`,
      event_time: envelope.eventTime ?? Math.floor(now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: teamId, user_id: botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
  };

  const isEnvelope = (value: SlackEvent | EventCallbackEnvelope): value is EventCallbackEnvelope =>
    value.type === 'event_callback' && 'event' in value;

  return {
    eventsUrl: options.eventsUrl,
    signRequest,
    slashCommandFields,
    blockActionsPayload,
    viewSubmissionPayload,
    viewClosedPayload,
    appHomeOpenedEvent,
    eventEnvelope,
    sendSlashCommand: (input, send) => sendForm(slashCommandFields(input), send),
    sendSlashCommandFields: (fields, send) => sendForm(fields, send),
    sendBlockActions: (payload, send) => sendPayload(payload, send),
    sendViewSubmission: (payload, send) => sendPayload(payload, send),
    sendViewClosed: (payload, send) => sendPayload(payload, send),
    sendEvent: (event, send = {}) => {
      const { eventId, eventTime, ...rest } = send;
      const body = isEnvelope(event)
        ? event
        : eventEnvelope(event, { ...(eventId !== undefined ? { eventId } : {}), ...(eventTime !== undefined ? { eventTime } : {}) });
      return sendRaw(JSON.stringify(body), 'application/json', rest);
    },
    sendUrlVerification: (challenge, send) =>
      sendRaw(JSON.stringify({ token: verificationToken, challenge, type: 'url_verification' }), 'application/json', send),
    sendRaw,
  };
}
