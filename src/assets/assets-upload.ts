/**
 * Releasing icons and assets (issue 16): files under `assets/` are uploaded to the CDN by a workflow
 * (`assetsWorkflow`, FxA `upload-assets-to-cdn.yml`), dispatched on the release tag. After a successful train or dot
 * release (its CI passed: tagging's watcher calls `uploadAssetsAfterRelease`) it is dispatched when the release
 * changed files under `assets/` since the previous release tag; reported in the train's thread. Each tag's
 * upload is dispatched at most once (its thread message is claimed first, through the messenger's ledger).
 */
import type { AppDeps } from '../deps';
import { escapeMrkdwn } from '../slack/mrkdwn';
import { ensureTrainThread } from '../tagging/train-thread';
import { listReleaseTags } from '../train/versions';

export const ASSETS_PREFIX = 'assets/';

/** The release tag just before `tag` (by train, then patch), or null for the first one. */
export function previousReleaseTag(tags: readonly string[], tag: string, tagFormat: string): string | null {
  const all = listReleaseTags(tags, tagFormat);
  const index = all.findIndex((t) => t.name === tag);
  const found = index > 0 ? all[index - 1] : undefined;
  return found?.name ?? null;
}

/** The files under `assets/` that `tag` changed since the previous release tag (all of them when it is the first). */
export async function changedAssets(deps: AppDeps, tag: string): Promise<{ previous: string | null; files: string[] }> {
  const { settings } = deps.config;
  const repository = deps.git.open(settings.gitRemoteUrl ?? `https://github.com/${settings.repository}.git`);
  // From the git clone, not GitHub: the watcher's GitHub requests stay what they were.
  const previous = previousReleaseTag(await repository.listTags(), tag, settings.tagFormat);
  const files = await repository.changedPaths({ from: previous ?? '4b825dc642cb6eb9a060e54bf8d69288fbee4904', to: tag });
  return { previous, files: files.filter((file) => file.startsWith(ASSETS_PREFIX)) };
}

/**
 * Dispatches the assets workflow on `tag` (once per tag) and says so in the train's thread.
 * Returns whether it was dispatched now (false: dispatched before).
 * @throws GitHubError when the dispatch fails (the thread says so)
 */
export async function dispatchAssetsUpload(options: {
  deps: AppDeps;
  train: number;
  tag: string;
  now: Date;
  why: string;
}): Promise<boolean> {
  const { deps, train, tag, now } = options;
  const workflow = deps.config.settings.assetsWorkflow;
  const thread = await ensureTrainThread({ deps, train, now });
  const claimed = await deps.messenger.postOnce({
    key: `assets:upload:${tag}`,
    to: { channel: thread.channel },
    threadTs: thread.ts,
    message: {
      text: `:frame_with_picture: Uploading the assets of ${escapeMrkdwn(tag)} to the CDN (\`${escapeMrkdwn(workflow)}\`): ${options.why}.`,
    },
    now,
  });
  if (claimed.outcome !== 'posted') return false;
  try {
    await deps.github.dispatchWorkflow({ workflow, ref: tag });
  } catch (error) {
    await deps.messenger.postOnce({
      key: `assets:upload-failed:${tag}`,
      to: { channel: thread.channel },
      threadTs: thread.ts,
      message: {
        text: `:x: GitHub refused to start \`${escapeMrkdwn(workflow)}\` on ${escapeMrkdwn(tag)}. The owner can run it again with \`/release assets upload ${escapeMrkdwn(tag)}\`.`,
      },
      now,
    });
    throw error;
  }
  return true;
}

/** After a release's CI passed (tagging's watcher): the assets upload when the release changed files under `assets/`. */
export async function uploadAssetsAfterRelease(options: { deps: AppDeps; train: number; tag: string; now: Date }): Promise<void> {
  const { deps, tag } = options;
  const logger = deps.logger.child({ module: 'assets' });
  try {
    const { previous, files } = await changedAssets(deps, tag);
    if (files.length === 0) return;
    await dispatchAssetsUpload({
      ...options,
      why: `${files.length} file(s) under \`${ASSETS_PREFIX}\` changed since ${previous ? escapeMrkdwn(previous) : 'the beginning'}`,
    });
  } catch (error) {
    // The release itself went fine: the watcher carries on; the thread (or this log) says what failed.
    logger.error({ err: error, tag }, 'could not upload the assets of a release; /release assets upload runs it by hand');
  }
}
