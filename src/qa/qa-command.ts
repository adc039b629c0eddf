/** `/release qa <green|yellow|red> [train] [note]`: QA's sign-off of the train on stage. */
import type { Subcommand } from '../commands/router';
import { positiveIdOf } from '../commands/parse-values';
import type { AppDeps } from '../deps';
import { QA_USAGE } from './qa-view';
import { parseColour, refuseColour, signOffQa } from './sign-off';

/** Slack sends `&`, `<` and `>` typed in a command as entities; the note keeps what was typed (escaped again when shown). */
function typed(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function createQaSubcommand(deps: AppDeps): Subcommand {
  return {
    name: 'qa',
    usage: 'qa <green|yellow|red> [train] [note]',
    summary: "QA's sign-off of the train on stage; yellow or red asks engineering management about a dot release",
    maxArgs: Number.POSITIVE_INFINITY,
    // A sign-off (a colour) is recorded as a durable intent before the ack (src/slack/intents.ts): a SIGKILL after the
    // ack loses nothing, and its replay finds the sign-off by the intent's key (recorded and announced once).
    mutates: (args) => parseColour(args[0]) !== null,
    async run(context) {
      const [first, second] = context.args;
      if (first === undefined || first.toLowerCase() === 'help') {
        await context.respond({ response_type: 'ephemeral', text: `*/release qa*\n${QA_USAGE}` });
        return;
      }
      const colour = parseColour(first);
      if (colour === null) refuseColour(first);
      const train = positiveIdOf(second);
      // The note is what follows the colour (and the train, when one is given), as typed.
      const words = context.rest.trim().split(/\s+/);
      const note = typed(words.slice(train === null ? 1 : 2).join(' ')).trim();
      const answer = await signOffQa({
        deps,
        userId: context.userId,
        now: context.now,
        colour,
        train,
        note: note === '' ? null : note,
        intentKey: `command:${context.triggerId}`,
      });
      await context.respond({ response_type: 'ephemeral', ...answer });
    },
  };
}
