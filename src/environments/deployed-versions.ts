/**
 * What stage and production run: each reports its version as JSON
 * (`{"version": "1.301.2", …}`) at a `__version__` URL. Versions are compared
 * without a leading "v" (tags are `v1.301.2`, environments say `1.301.2`).
 */
import { normaliseVersion, parseReleaseTag } from '../train/versions';

export type EnvironmentName = 'stage' | 'production';

export type DeployedVersion =
  | { environment: EnvironmentName; ok: true; version: string; train: number | null; patch: number | null }
  | { environment: EnvironmentName; ok: false; reason: string };

/** Reads one environment's version; never throws: a failure is a reason for the reader. */
export async function readDeployedVersion(options: {
  environment: EnvironmentName;
  url: string;
  tagFormat: string;
  timeoutMs?: number;
}): Promise<DeployedVersion> {
  const { environment } = options;
  try {
    const response = await fetch(options.url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) return { environment, ok: false, reason: `${environment} answered HTTP ${response.status}` };
    const body: unknown = await response.json();
    const raw = typeof body === 'object' && body !== null && 'version' in body ? body.version : undefined;
    if (typeof raw !== 'string' || raw.trim() === '') {
      return { environment, ok: false, reason: `${environment} did not report a version` };
    }
    const version = normaliseVersion(raw.trim());
    // Numbered like a release tag (with or without its leading "v")? Then we know its train and patch.
    const asTag = parseReleaseTag(version, options.tagFormat) ?? parseReleaseTag(`v${version}`, options.tagFormat);
    return { environment, ok: true, version, train: asTag?.train ?? null, patch: asTag?.patch ?? null };
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'did not answer in time' : 'could not be reached';
    return { environment, ok: false, reason: `${environment} ${reason}` };
  }
}

/** Stage and production, read side by side. */
export async function readDeployedVersions(options: {
  stageVersionUrl: string;
  productionVersionUrl: string;
  tagFormat: string;
  timeoutMs?: number;
}): Promise<Record<EnvironmentName, DeployedVersion>> {
  const [stage, production] = await Promise.all([
    readDeployedVersion({ environment: 'stage', url: options.stageVersionUrl, tagFormat: options.tagFormat, timeoutMs: options.timeoutMs }),
    readDeployedVersion({
      environment: 'production',
      url: options.productionVersionUrl,
      tagFormat: options.tagFormat,
      timeoutMs: options.timeoutMs,
    }),
  ]);
  return { stage, production };
}

export type TrainWhereabouts = 'building' | 'cut' | 'on stage' | 'in production';

/** Where train `train` is: in production, on stage, cut (tagged, not deployed yet), or still building on main. */
export function locateTrain(options: {
  train: number;
  latestCutTrain: number | null;
  stage: DeployedVersion;
  production: DeployedVersion;
}): TrainWhereabouts {
  const { train, stage, production } = options;
  if (production.ok && production.train === train) return 'in production';
  if (stage.ok && stage.train === train) return 'on stage';
  if (options.latestCutTrain !== null && train <= options.latestCutTrain) return 'cut';
  return 'building';
}
