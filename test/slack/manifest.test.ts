/**
 * manifest.yml declares exactly what the code registers and calls: the slash
 * commands, the events, interactivity, and the least bot scopes that the Web API
 * methods used in src/ need.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from '@slack/bolt';
import { parse } from 'yaml';
import type { AppDeps } from '../../src/deps';
import { loadConfig } from '../../src/config';
import { FEATURES } from '../../src/app';
import { registerFeatures } from '../../src/slack/register';
import { withHelp } from '../../src/commands/release-command';
import { renderHelp } from '../../src/commands/router';
import { InFlightWork } from '../../src/server/in-flight';
import { silentLogger } from '../support/database';

interface Manifest {
  display_information: { description: string };
  features: { slash_commands?: Array<{ command: string; url?: string; usage_hint?: string }>; app_home?: { home_tab_enabled?: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions?: { bot_events?: string[]; request_url?: string };
    interactivity?: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
}

const root = path.resolve(__dirname, '..', '..');
const manifest = parse(readFileSync(path.join(root, 'manifest.yml'), 'utf8')) as Manifest;

/** Bot scope(s) each Web API method needs (Slack's method reference; one per kind of conversation); null: none. */
const scopeOfMethod: Record<string, string | string[] | null> = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'chat.getPermalink': null,
  'views.open': null,
  'views.publish': null,
  'views.update': null,
  'views.push': null,
  'conversations.open': 'im:write',
  'conversations.info': 'channels:read',
  'conversations.list': 'channels:read',
  // The messenger reads the team channel (public or private) and the bot's DMs.
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history'],
  'users.info': 'users:read',
  'users.lookupByEmail': 'users:read.email',
  'usergroups.users.list': 'usergroups:read',
  'reactions.add': 'reactions:write',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Web API methods called anywhere in src/ through a Slack client (`client.chat.postMessage(`, `deps.slack.views.publish(`…). */
function methodsCalled(): Set<string> {
  const families = ['auth', 'chat', 'views', 'conversations', 'users', 'usergroups', 'reactions', 'apps', 'team', 'files', 'pins'];
  const pattern = new RegExp(`\\b(?:client|slack)\\.(${families.join('|')})((?:\\.[a-zA-Z]+)+)\\(`, 'g');
  const found = new Set<string>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) found.add(`${match[1]}${match[2]}`);
  }
  return found;
}

/** What the code answers (src/slack/register.ts reports it as it registers the features). */
function registrations() {
  const app = new App({ token: 'xoxb-manifest-test', signingSecret: 'manifest-test-secret', logger: undefined, deferInitialization: true });
  // Registration reads only the configuration; nothing is called.
  const config = loadConfig({
    env: { SLACK_BOT_TOKEN: 'xoxb-manifest-test', SLACK_SIGNING_SECRET: 'manifest-test-secret', GITHUB_TOKEN: 'x' },
  });
  const deps = { config, logger: silentLogger, inFlight: new InFlightWork() } as unknown as AppDeps;
  const { registered } = registerFeatures(app, deps, FEATURES);
  const subcommands = withHelp(FEATURES.flatMap((feature) => (feature.subcommands ?? []).map((create) => create(deps))));
  return { ...registered, subcommands };
}

describe('manifest.yml', () => {
  const seen = registrations();

  test('declares exactly the slash commands the code registers', () => {
    expect((manifest.features.slash_commands ?? []).map((c) => c.command).sort()).toEqual([...seen.commands].sort());
  });

  test('subscribes to exactly the events the code listens to', () => {
    expect([...(manifest.settings.event_subscriptions?.bot_events ?? [])].sort()).toEqual([...seen.events].sort());
    if (seen.events.includes('app_home_opened')) expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
  });

  test('enables interactivity exactly when the code has buttons, modals or shortcuts', () => {
    const interactive = seen.buttons.length + seen.selects.length + seen.views.length > 0;
    expect(manifest.settings.interactivity?.is_enabled ?? false).toBe(interactive);
  });

  test('asks for the least bot scopes: exactly those the Web API methods in src/ need', () => {
    const called = methodsCalled();
    const unknown = [...called].filter((method) => !(method in scopeOfMethod));
    expect(unknown).toEqual([]); // add the method's scope to the table above
    const needed = new Set<string>();
    if (seen.commands.length > 0) needed.add('commands');
    for (const method of called) {
      for (const scope of [scopeOfMethod[method] ?? []].flat()) needed.add(scope);
    }
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  test('points every URL at the events endpoint in HTTP mode', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    const urls = [
      ...(manifest.features.slash_commands ?? []).map((c) => c.url),
      manifest.settings.event_subscriptions?.request_url,
      manifest.settings.interactivity?.request_url,
    ];
    for (const url of urls) expect(url).toMatch(/^https:\/\/[^/]+\/slack\/events$/);
  });

  test('the usage hint and the help name every subcommand', () => {
    const hint = manifest.features.slash_commands?.[0]?.usage_hint ?? '';
    const help = renderHelp(seen.subcommands);
    for (const { name } of seen.subcommands) {
      expect(hint.split(' | ')).toContain(name);
      expect(help).toContain(`\`/release ${name}`);
    }
  });

  test('the description claims only what the bot does: dot releases are run from Slack (`/release patch run`)', () => {
    const help = renderHelp(seen.subcommands);
    expect(seen.subcommands.map((s) => s.name)).toContain('patch');
    expect(help).toContain('`/release patch run');
    expect(manifest.display_information.description).toMatch(/runs dot releases/);
    // Slack refuses a manifest whose description is longer than 140 characters.
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
  });
});
