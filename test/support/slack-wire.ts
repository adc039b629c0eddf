/**
 * Slack's wire shapes that both fakes speak: the fake Web API (test/fakes/slack-server.ts) returns views
 * and serves response URLs, the request sender (test/fakes/slack-client.ts) puts views in payloads and
 * asks for response URLs. One definition, so the two cannot drift apart.
 */

/** An option of a select menu, as in `selected_option`. */
export interface SlackOption {
  text: { type: string; text: string; emoji?: boolean };
  value: string;
}

/** One entry of `view.state.values[blockId][actionId]`. */
export interface SlackStateValue {
  type: string;
  value?: string | null;
  selected_option?: SlackOption | null;
  selected_options?: SlackOption[];
  selected_user?: string | null;
  selected_users?: string[];
  selected_conversation?: string | null;
  selected_conversations?: string[];
  selected_channel?: string | null;
  selected_date?: string | null;
  selected_time?: string | null;
  [key: string]: unknown;
}

export type SlackStateValues = Record<string, Record<string, SlackStateValue>>;

/** A view (modal or App Home) as Slack returns it from views.open / views.publish / views.update and sends it in payloads. */
export interface SlackView<State = SlackStateValues> {
  id: string;
  team_id: string;
  type: string;
  blocks: unknown[];
  private_metadata: string;
  callback_id: string;
  state: { values: State };
  hash: string;
  title?: unknown;
  submit?: unknown;
  close?: unknown;
  clear_on_close: boolean;
  notify_on_close: boolean;
  previous_view_id?: string | null;
  root_view_id: string;
  app_id: string;
  external_id: string;
  app_installed_team_id: string;
  bot_id: string;
}

/** What a response URL refers to, so that replace_original / delete_original / in_channel act on the fake's messages. */
export interface ResponseUrlOrigin {
  channel: string;
  /** The message the interaction came from (block_actions). */
  ts?: string;
  /** Who gets ephemeral responses. */
  user?: string;
}
