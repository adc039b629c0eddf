/**
 * The forward-port guard's report (issue 14 item 5): fixes that reached a lower train after the next one was cut,
 * and whether each is on the higher train, with how it was matched (same commit, patch-id, trailer, or only the same
 * subject, for the owner to judge). `forwardPortsSection` is the dashboard's line about it.
 */
import type { AppDeps } from '../deps';
import type { ForwardPort } from '../git';
import type { PatchOverview } from '../patches/patch-store';
import { section, type Block } from '../slack/blocks';
import { fitMessage, list, type Part } from '../slack/budget';
import { escapeMrkdwn, link } from '../slack/mrkdwn';
import { trainRepository } from './git-port';

const MATCHED: Record<string, string> = {
  'same-commit': 'same commit',
  'patch-id': 'same patch-id',
  trailer: '`cherry picked from` trailer',
  subject: 'only the same subject: check it',
};

export function renderForwardPorts(
  ports: ForwardPort[],
  options: { repository: string; train?: number },
): { text: string; blocks: Block[] } {
  const pairs = new Map<string, ForwardPort[]>();
  for (const port of ports) {
    const key = `${port.lower}→${port.upper}`;
    pairs.set(key, [...(pairs.get(key) ?? []), port]);
  }
  const missing = ports.filter((p) => !p.onUpper || p.matchedBy === 'subject').length;
  const parts: Part[] = [
    section(
      `:arrow_heading_up: *Forward ports*${options.train !== undefined ? ` from train ${options.train}` : ''}: ${ports.length} fix(es) picked onto a train after the next one was cut; ` +
        `${missing === 0 ? 'every one is on the newer train.' : `*${missing} not (surely) on the newer train*.`}`,
    ),
  ];
  for (const [pair, list_] of pairs) {
    const [lower, upper] = pair.split('→');
    const lines = list_.map((p) => {
      const commit = link(`https://github.com/${options.repository}/commit/${p.sha}`, p.sha.slice(0, 10));
      const state =
        p.onUpper && p.matchedBy !== 'subject'
          ? `:white_check_mark: on train ${upper} (${MATCHED[p.matchedBy ?? ''] ?? 'matched'})`
          : p.matchedBy === 'subject'
            ? `:grey_question: ${MATCHED.subject}`
            : `:x: *missing on train ${upper}*`;
      return `• ${commit} ${escapeMrkdwn(p.subject)}: ${state}`;
    });
    parts.push(list(`*Train ${lower} → train ${upper}*`, lines, { maxBlocks: 4 }));
  }
  if (ports.length === 0) parts.push(section('_No fix reached a lower train after a newer one was cut._'));
  return fitMessage({ text: `Forward ports: ${missing} missing`, parts });
}

export async function forwardPortsReport(options: { deps: AppDeps; train?: number }): Promise<{ text: string; blocks: Block[] }> {
  const { deps, train } = options;
  const ports = await trainRepository(deps).forwardPorts(train === undefined ? {} : { train });
  return renderForwardPorts(ports, { repository: deps.config.settings.repository, ...(train === undefined ? {} : { train }) });
}

/** The dashboard's section: forward ports planned and waiting to run, and dot releases stopped for a person. */
export function forwardPortsSection(overview: PatchOverview | null): Block[] {
  if (!overview) return [];
  const lines: string[] = [];
  const ports = overview.planned.filter((p) => (p.forwardOf ?? null) !== null);
  if (ports.length > 0) {
    lines.push(`*Forward ports to run:* ${ports.map((p) => `*${p.train}.${p.patch}* (\`${escapeMrkdwn(p.tag)}\`)`).join(', ')}`);
  }
  for (const run of overview.running ?? []) {
    lines.push(`*Dot release ${run.train}.${run.patch}* (\`${escapeMrkdwn(run.tag)}\`): ${escapeMrkdwn(run.status)}`);
  }
  if (lines.length === 0) return [];
  return [section(`${lines.join('\n')}\n_\`/release forward-ports\` lists the fixes newer trains miss._`)];
}
