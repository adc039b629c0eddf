/**
 * Where the trains are, for someone asking for a patch: which trains take
 * patches (the latest `supportedTrains` cut ones), whether each is cut, on
 * stage or in production, which one `main` is building, and which have a dot
 * release planned. Tags come from GitHub, versions from the environments.
 */
import type { AppDeps } from '../deps';
import { locateTrain, readDeployedVersions, type TrainWhereabouts } from '../environments/deployed-versions';
import { findLatestTrain, listReleaseTags } from '../train/versions';
import { listOpenDotReleases } from './patch-store';

export interface LandscapeTrain {
  train: number;
  where: TrainWhereabouts;
  /** The planned dot release's patch number, if one is planned. */
  plannedPatch: number | null;
}

export interface TrainLandscape {
  /** The highest cut train (null: no release tag at all). */
  latestCut: number | null;
  /** The train `main` is building. */
  building: number;
  /** Trains that take patches, newest first. */
  trains: LandscapeTrain[];
  /** What could not be read, for the reader. */
  notes: string[];
}

/** The train a request aims at unless the requester picks another: the one on stage, else in production, else the newest. */
export function defaultTrain(landscape: Pick<TrainLandscape, 'trains'>): number | null {
  const { trains } = landscape;
  return (trains.find((t) => t.where === 'on stage') ?? trains.find((t) => t.where === 'in production') ?? trains[0])?.train ?? null;
}

/** The trains that take patches when `latestCut` is the newest: `latestCut - supported + 1` to `latestCut`. */
export function supportedTrainNumbers(latestCut: number | null, supported: number): number[] {
  if (latestCut === null) return [];
  const trains: number[] = [];
  for (let train = latestCut; train > latestCut - supported && train >= 1; train--) trains.push(train);
  return trains;
}

/**
 * The text before the patch number in a train's tags (`v1.301.` for train
 * 301), to list them with one request; every name it returns still has to
 * parse as a tag of that train.
 */
export function trainTagPrefix(tagFormat: string, train: number): string {
  const beforePatch = tagFormat.slice(0, tagFormat.indexOf('{P}'));
  return beforePatch.replace(/\{N\}/g, String(train));
}

/** The release tags of one train, lowest patch first. */
export async function readTrainTags(deps: Pick<AppDeps, 'github' | 'config'>, train: number) {
  const { tagFormat } = deps.config.settings;
  const names = await deps.github.listTagNames(trainTagPrefix(tagFormat, train));
  return listReleaseTags(names, tagFormat).filter((tag) => tag.train === train);
}

/** Reads tags (GitHub), versions (stage, production) and plans (database). Throws a GitHubError when the tags cannot be read. */
export async function readTrainLandscape(options: { deps: AppDeps; now: Date }): Promise<TrainLandscape> {
  const { deps } = options;
  const { settings } = deps.config;
  const [snapshot, versions, plans] = await Promise.all([
    deps.github.getStatusSnapshot({ baseBranch: settings.mainBranch, checkName: settings.ciCheckName }),
    readDeployedVersions({
      stageVersionUrl: settings.stageVersionUrl,
      productionVersionUrl: settings.productionVersionUrl,
      tagFormat: settings.tagFormat,
      timeoutMs: 3000,
    }),
    listOpenDotReleases({ prisma: deps.db.prisma }),
  ]);
  const latest = findLatestTrain(
    snapshot.tags.map((tag) => tag.name),
    settings.tagFormat,
  );
  const latestCut = latest?.train ?? null;
  const notes: string[] = [];
  for (const version of [versions.stage, versions.production]) {
    if (!version.ok) notes.push(`I could not read what ${version.environment} runs (${version.reason}).`);
    else if (version.train === null) notes.push(`${version.environment} runs \`${version.version}\`, which is not a release tag.`);
  }
  const trains = supportedTrainNumbers(latestCut, settings.patchRequests.supportedTrains).map((train) => ({
    train,
    where: locateTrain({ train, latestCutTrain: latestCut, stage: versions.stage, production: versions.production }),
    plannedPatch: plans.find((plan) => plan.train === train)?.patch ?? null,
  }));
  return {
    latestCut,
    building: latestCut !== null ? latestCut + 1 : deps.calendar.trainInProgress(options.now).train,
    trains,
    notes,
  };
}
