/**
 * What a person does in Slack, written once and run in both of the bot's modes (both-modes.test.ts):
 * `/release status`, App Home (an event, then its Refresh button), the patch request modal (refused on its
 * field, then sent), and a button (Approve) on the request, over the patch-request scene (test/patches/helpers.ts). Each scenario talks to the bot only
 * through `h.sender`, which posts signed HTTP requests in HTTP mode and sends envelopes on the socket in
 * Socket Mode, and asserts what the people involved see in Slack.
 */
import { BOB, CAROL, CHANNEL, dmsOf, ENGINEER, openRequestModal, press, submitRequest, teamCopy, type Scene } from '../patches/helpers';

export interface Scenario {
  name: string;
  run(scene: Scene): Promise<void>;
}

/** The id of the request the modal scenario sent, for the button scenario after it. */
let sentRequestId: number | undefined;

export const SCENARIOS: Scenario[] = [
  {
    name: '`/release status` is acked at once and answered with the dashboard, to the caller only',
    async run({ h }) {
      const before = h.slack.responses.length;
      const reply = await h.sender.sendSlashCommand({ text: 'status', userId: ENGINEER });
      expect(reply.status).toBe(200);
      // The dashboard arrives through the response_url; GitHub may first be reported slow on a loaded machine.
      const responses = await h.slack.waitForResponses(before + 1, 10_000);
      const answer = responses.slice(before).find((r) => JSON.stringify(r.body).includes('Train 303')) ?? responses.at(-1);
      expect(answer?.body.response_type).toBe('ephemeral');
      expect(JSON.stringify(answer?.body.blocks)).toContain('Train 303');
    },
  },
  {
    name: 'App Home (an event): opening it publishes the dashboard once, a redelivery changes nothing, Refresh publishes it again',
    async run({ h }) {
      const user = 'U0HOMEUSR';
      const publishes = () => h.slack.callsTo('views.publish').length;
      const before = publishes();
      const event = h.sender.appHomeOpenedEvent({ userId: user });
      const eventId = `Ev0HOME${before}`;
      expect((await h.sender.sendEvent(event, { eventId })).status).toBe(200);
      expect((await h.sender.sendEvent(event, { eventId, retryNum: 1, retryReason: 'http_timeout' })).status).toBe(200);
      await h.slack.waitForCalls('views.publish', before + 1, 10_000);
      await h.bot.app.deps.inFlight.idle(20_000);
      expect(publishes()).toBe(before + 1);
      const published = h.slack.publishedView(user);
      expect(JSON.stringify(published?.blocks)).toContain('Train 303');

      const refresh = h.sender.blockActionsPayload({
        userId: user,
        actionId: 'status_refresh',
        view: { id: published?.id ?? 'V1', type: 'home' },
      });
      expect((await h.sender.sendBlockActions(refresh)).status).toBe(200);
      await h.slack.waitForCalls('views.publish', before + 2, 10_000);
    },
  },
  {
    name: 'the patch request modal: a bad commit is refused on its field, then a good request reaches the owner and the channel',
    async run(scene) {
      const { h } = scene;
      const modal = await openRequestModal(h, ENGINEER);
      expect(JSON.stringify(modal.blocks)).toContain('Train 302 (on stage)');

      const refused = await submitRequest(h, modal, ENGINEER, { items: 'deadbeefdeadbeef' });
      expect(refused.response_action).toBe('errors');
      expect(refused.errors?.items).toMatch(/deadbeefdeadbeef is not a commit of mozilla\/fxa/);
      expect(await h.bot.database.prisma.patchRequest.count()).toBe(0);

      const posts = h.slack.callsTo('chat.postMessage').length;
      const sent = await submitRequest(h, modal, ENGINEER, { items: scene.afterCut[0] });
      expect(sent.errors).toBeUndefined();
      expect(sent.response_action).toBe('update');
      const id = Number(/Patch request #(\d+)/.exec(JSON.stringify(sent.view?.blocks))?.[1]);
      expect(id).toBeGreaterThan(0);
      await h.slack.waitForCalls('chat.postMessage', posts + 3);
      expect(dmsOf(h, BOB).some((m) => m.text.startsWith(`Patch request #${id} for train 302`))).toBe(true);
      expect(teamCopy(h, id).channel).toBe(CHANNEL);
      sentRequestId = id;
    },
  },
  {
    name: 'a button: Approve by someone else is refused with why; by the owner it plans and announces the dot release',
    async run({ h }) {
      const id = sentRequestId;
      if (id === undefined) throw new Error('the modal scenario runs first and sends the request');
      const post = teamCopy(h, id);
      expect(await press(h, CAROL, 'patch_approve', String(id), post)).toBe(
        `:warning: Only <@${BOB}>, the owner of train 302, or an admin can decide patch requests for train 302.`,
      );
      expect(await press(h, BOB, 'patch_approve', String(id), post)).toContain(`Approved patch request #${id}`);
      expect(h.slack.messagesIn(CHANNEL).some((m) => /^Planning train 302\.3/.test(m.text))).toBe(true);
    },
  },
];
