/** The dashboard's patch section (`/release status`, App Home): planned dot releases and requests awaiting a decision, read by patch-store.ts. */
import { section, type Block } from '../slack/blocks';
import { escapeMrkdwn, mentionUser } from '../slack/mrkdwn';
import { formatCountdown } from '../train/time-format';
import type { PatchOverview } from './patch-store';

/** Listed by number at most; the rest are counted. */
const LISTED = 10;

/** The dashboard's patch section; nothing when there is nothing planned or pending. */
export function renderPatchOverview(overview: PatchOverview, now: Date): Block[] {
  const lines: string[] = [];
  if (overview.planned.length > 0) {
    const plans = overview.planned.map(
      (p) => `*${p.train}.${p.patch}* (\`${escapeMrkdwn(p.tag)}\`, ${p.requests} request${p.requests === 1 ? '' : 's'})`,
    );
    lines.push(`*Dot releases planned:* ${plans.join(', ')}`);
  }
  if (overview.pending.length > 0) {
    const listed = overview.pending.slice(0, LISTED).map((r) => {
      const waited = formatCountdown(r.createdAt, now);
      return `• #${r.id} for train ${r.train} from ${mentionUser(r.requestedBy)}, waiting ${waited === 'now' ? 'under a minute' : waited}`;
    });
    const more = overview.pending.length - listed.length;
    lines.push(
      `*Patch requests waiting for a decision:* ${overview.pending.length}\n${listed.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`,
    );
  }
  return lines.length > 0 ? [section(`${lines.join('\n')}\n_\`/release patches\` lists them all._`)] : [];
}
