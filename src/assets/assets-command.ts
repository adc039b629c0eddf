/** `/release assets upload [tag]`: the owner (or an admin) runs the assets upload by hand, on the latest release tag by default. */
import type { Subcommand } from '../commands/router';
import type { AppDeps } from '../deps';
import { InvalidInputError } from '../errors';
import { nameOf } from '../slack/directory';
import { actorText, escapeMrkdwn } from '../slack/mrkdwn';
import { requireTagger } from '../tagging/permissions';
import { findLatestTrain, parseReleaseTag } from '../train/versions';
import { dispatchAssetsUpload } from './assets-upload';

const USAGE = '`/release assets upload [v1.N.P]`';

export function createAssetsSubcommand(deps: AppDeps): Subcommand {
  const { settings } = deps.config;
  return {
    name: 'assets',
    usage: 'assets upload [tag]',
    summary: `upload \`assets/\` to the CDN (\`${settings.assetsWorkflow}\`) for a release`,
    maxArgs: 2,
    mutates: (args) => (args[0] ?? '').toLowerCase() === 'upload',
    async run(context) {
      if ((context.args[0] ?? '').toLowerCase() !== 'upload') {
        throw new InvalidInputError(
          `${context.args[0] ? `I don't know \`assets ${escapeMrkdwn(context.args[0])}\`.` : 'Say what to do.'} Usage: ${USAGE}`,
        );
      }
      const tags = await deps.github.listAllTagNames();
      const asked = context.args[1];
      let tag: string;
      if (asked !== undefined) {
        if (!parseReleaseTag(asked, settings.tagFormat)) {
          throw new InvalidInputError(
            `\`${escapeMrkdwn(asked)}\` is not a release tag (\`${escapeMrkdwn(settings.tagFormat)}\`). Usage: ${USAGE}`,
          );
        }
        if (!tags.includes(asked)) throw new InvalidInputError(`The repository has no tag \`${escapeMrkdwn(asked)}\`.`);
        tag = asked;
      } else {
        const latest = findLatestTrain(tags, settings.tagFormat);
        if (!latest) throw new InvalidInputError('The repository has no release tag yet.');
        tag = latest.tag;
      }
      const release = parseReleaseTag(tag, settings.tagFormat);
      const train = release?.train ?? 0;
      await requireTagger({ deps, userId: context.userId, now: context.now, train, action: 'upload the assets' });
      // Said in the train's thread: their own command, so named, not pinged.
      const who = actorText({ actor: context.userId, actorName: await nameOf(deps, context.userId) });
      const dispatched = await dispatchAssetsUpload({ deps, train, tag, now: context.now, why: `asked by ${who}` });
      await context.respond({
        response_type: 'ephemeral',
        text: dispatched
          ? `:frame_with_picture: Started \`${escapeMrkdwn(settings.assetsWorkflow)}\` on ${escapeMrkdwn(tag)}; train ${train}'s thread has it.`
          : `The assets upload of ${escapeMrkdwn(tag)} was started before (see train ${train}'s thread); I did not start it again.`,
      });
    },
  };
}
