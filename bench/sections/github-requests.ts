/** GitHub requests one `/release status` costs, by the number of open pull requests. */
import { growOpenPullRequests, openPullRequestCount } from '../arrange';
import type { BenchSection, Figure, SectionResult, Target } from '../figures';

export interface GitHubRequestsCase {
  openPullRequests: number;
  /** The issue's limit, if any. */
  maxRequests?: number;
}

export const DEFAULT_GITHUB_CASES: GitHubRequestsCase[] = [
  { openPullRequests: 10, maxRequests: 2 },
  { openPullRequests: 500, maxRequests: 6 },
];

export function githubRequestsSection(cases: GitHubRequestsCase[] = DEFAULT_GITHUB_CASES): BenchSection {
  return {
    title: 'GitHub requests per /release status',
    async run(context): Promise<SectionResult> {
      const { github } = context.harness;
      const figures: Figure[] = [];
      const targets: Target[] = [];
      const notes: string[] = [];
      // Growing only: cases run from the fewest open PRs to the most.
      for (const item of [...cases].sort((a, b) => a.openPullRequests - b.openPullRequests)) {
        const open = openPullRequestCount(github);
        if (open > item.openPullRequests)
          throw new Error(`the fake repository already has ${open} open PRs, more than ${item.openPullRequests}`);
        growOpenPullRequests(github, item.openPullRequests);
        await context.settle();
        // Past the time for which the bot reuses a GitHub read (statusCacheSeconds): this status reads afresh.
        context.harness.clock.advance(60_000);
        context.progress(`one /release status with ${item.openPullRequests} open PRs`);
        await context.sendBlock({ app: 'ours', eventsUrl: context.eventsUrls.ours, text: 'status', count: 1, concurrency: 1 });
        // Read the request log before settle() forgets it; the command is done when nothing is in flight.
        await waitForQuiet(context);
        const requests = [...github.requests];
        const [reply] = await context.settle();
        if (!reply) throw new Error('the status command got no answer');
        const operations = requests.map((r) => r.operationName ?? `${r.method} ${r.path}`);
        const failed = requests.filter((r) => r.status === undefined || r.status >= 400).length;
        const key = `status_github_requests_${item.openPullRequests}_prs`;
        figures.push({ key, label: `GitHub requests, ${item.openPullRequests} open PRs`, value: requests.length, unit: '', decimals: 0 });
        if (item.maxRequests !== undefined) {
          targets.push({
            figureKey: key,
            description: `≤ ${item.maxRequests} GitHub requests with ${item.openPullRequests} PRs`,
            comparison: '<=',
            limit: item.maxRequests,
          });
        }
        notes.push(
          `${item.openPullRequests} open PRs: ${summarize(operations)}${failed > 0 ? ` (${failed} failed or unanswered)` : ''}; ` +
            `final answer after ${reply.finalMs} ms${reply.partial ? ` (partial answer first, after ${reply.firstMs} ms)` : ''}`,
        );
      }
      return { figures, targets, notes };
    },
  };
}

/** Waits until the bot has nothing in flight (its reply is sent, so its GitHub requests are done). */
async function waitForQuiet(context: Parameters<BenchSection['run']>[0], timeoutMs = 30_000): Promise<void> {
  const inFlight = context.harness.bot.app.deps.inFlight;
  const deadline = Date.now() + timeoutMs;
  // The command's work is registered as soon as it is acked, which happened before sendCommand resolved.
  while (inFlight.size > 0) {
    if (Date.now() > deadline) throw new Error(`the status command was still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function summarize(operations: string[]): string {
  const counts = new Map<string, number>();
  for (const op of operations) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${n}× ${op}`).join(', ') || 'no requests';
}
