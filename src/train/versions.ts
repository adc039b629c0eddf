// Tag and branch names, train numbering. Pure functions, no I/O.
//
// A *format* is a template in which `{N}` stands for the train number and
// `{P}` for the patch number, every other character being literal. A name
// counts only when it matches its format exactly, each placeholder matching a
// canonical decimal number (digits, no sign, no leading zero except `0`
// itself). With the FxA default `v1.{N}.{P}` this means that:
// - any name with a hyphen (`v1.301.0-rc1`, `subplat-v1.2.3`, custom names
//   used for temporary stage deploys) never counts;
// - the major version is part of the literal text, so `v2.0.0` does not
//   count either (the real workflow would be confused by it: see
//   `predictWorkflowTrain`).

/** The FxA tag format: `v1.{N}.{P}` (train N, patch P). */
export const DEFAULT_TAG_FORMAT = 'v1.{N}.{P}';

/** The FxA branch format: `train-{N}`. */
export const DEFAULT_BRANCH_FORMAT = 'train-{N}';

/** Thrown when a tag or branch format is not usable (wrong or missing placeholders). */
export class VersionFormatError extends Error {
  /** The offending format. */
  readonly format: string;

  /** @param format the offending format; @param message what is wrong with it. */
  constructor(format: string, message: string) {
    super(`Invalid format "${format}": ${message}`);
    this.name = 'VersionFormatError';
    this.format = format;
  }
}

/** Thrown by `compareVersions` when a string is not a dotted numeric version. */
export class InvalidVersionError extends Error {
  /** The offending version string. */
  readonly version: string;

  /** @param version the string that could not be read as a version. */
  constructor(version: string) {
    super(`Not a version: "${version}" (expected digits separated by dots, optionally prefixed with "v")`);
    this.name = 'InvalidVersionError';
    this.version = version;
  }
}

/** A release tag that matched the tag format. */
export interface ReleaseTag {
  /** The tag name as given. */
  readonly name: string;
  /** Train number (`N`). */
  readonly train: number;
  /** Patch number (`P`); 0 for the tag that cut the train. */
  readonly patch: number;
}

/** The newest train found in a list of tags, with its highest tag. */
export interface LatestTrain {
  /** Highest train number among release tags. */
  readonly train: number;
  /** Highest patch number of that train. */
  readonly patch: number;
  /** The name of that highest tag, e.g. `v1.301.2`. */
  readonly tag: string;
}

type Placeholder = 'N' | 'P';

interface CompiledFormat {
  readonly regex: RegExp;
  /** Placeholders in order of appearance (capture group order). */
  readonly order: readonly Placeholder[];
  /** Literal text and placeholders, for rendering. */
  readonly pieces: ReadonlyArray<{ literal: string } | { placeholder: Placeholder }>;
}

const NUMBER_PATTERN = '(0|[1-9][0-9]*)';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function compileFormat(format: string, kind: 'tag' | 'branch'): CompiledFormat {
  if (typeof format !== 'string' || format.length === 0) {
    throw new VersionFormatError(String(format), 'must be a non-empty string');
  }
  const pieces: Array<{ literal: string } | { placeholder: Placeholder }> = [];
  const order: Placeholder[] = [];
  let pattern = '^';
  let rest = format;
  let previousWasPlaceholder = false;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    if (open === -1) {
      if (rest.includes('}')) throw new VersionFormatError(format, 'unbalanced "}"');
      pieces.push({ literal: rest });
      pattern += escapeRegExp(rest);
      break;
    }
    if (open > 0) {
      const literal = rest.slice(0, open);
      if (literal.includes('}')) throw new VersionFormatError(format, 'unbalanced "}"');
      pieces.push({ literal });
      pattern += escapeRegExp(literal);
      previousWasPlaceholder = false;
    }
    const close = rest.indexOf('}', open);
    if (close === -1) throw new VersionFormatError(format, 'unbalanced "{"');
    const name = rest.slice(open + 1, close);
    if (name !== 'N' && name !== 'P') {
      throw new VersionFormatError(format, `unknown placeholder "{${name}}" (only {N} and {P} exist)`);
    }
    if (previousWasPlaceholder) {
      throw new VersionFormatError(format, 'placeholders must be separated by literal text');
    }
    if (order.includes(name)) throw new VersionFormatError(format, `{${name}} appears more than once`);
    order.push(name);
    pieces.push({ placeholder: name });
    pattern += NUMBER_PATTERN;
    previousWasPlaceholder = true;
    rest = rest.slice(close + 1);
  }
  if (!order.includes('N')) throw new VersionFormatError(format, 'must contain {N} (the train number)');
  if (kind === 'tag' && !order.includes('P')) {
    throw new VersionFormatError(format, 'a tag format must contain {P} (the patch number)');
  }
  if (kind === 'branch' && order.includes('P')) {
    throw new VersionFormatError(format, 'a branch format must not contain {P}');
  }
  return { regex: new RegExp(`${pattern}$`), order, pieces };
}

function matchFormat(compiled: CompiledFormat, name: string): Partial<Record<Placeholder, number>> | null {
  if (typeof name !== 'string') return null;
  const match = compiled.regex.exec(name);
  if (match === null) return null;
  const values: Partial<Record<Placeholder, number>> = {};
  for (let i = 0; i < compiled.order.length; i += 1) {
    const placeholder = compiled.order[i];
    const text = match[i + 1];
    if (placeholder === undefined || text === undefined) return null;
    const value = Number(text);
    if (!Number.isSafeInteger(value)) return null;
    values[placeholder] = value;
  }
  return values;
}

function assertNumber(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative whole number, got ${String(value)}`);
  }
}

function render(compiled: CompiledFormat, values: Record<Placeholder, number>): string {
  return compiled.pieces.map((piece) => ('literal' in piece ? piece.literal : String(values[piece.placeholder]))).join('');
}

/**
 * Reads a release tag name. Returns null unless `name` matches `tagFormat`
 * exactly (so, with the default format, hyphenated names such as
 * `v1.301.0-rc1`, `subplat-v1.2.3`, `v2.0.0` or `v1.301` are all null).
 * Throws `VersionFormatError` when the format itself is invalid.
 */
export function parseReleaseTag(name: string, tagFormat: string = DEFAULT_TAG_FORMAT): { train: number; patch: number } | null {
  const values = matchFormat(compileFormat(tagFormat, 'tag'), name);
  if (values === null || values.N === undefined || values.P === undefined) return null;
  return { train: values.N, patch: values.P };
}

/**
 * Renders a release tag name, e.g. `formatTag('v1.{N}.{P}', 301, 2)` → `v1.301.2`.
 * Throws `VersionFormatError` for an invalid format and `RangeError` for a
 * negative or non-integer number.
 */
export function formatTag(tagFormat: string, train: number, patch: number): string {
  const compiled = compileFormat(tagFormat, 'tag');
  assertNumber(train, 'train');
  assertNumber(patch, 'patch');
  return render(compiled, { N: train, P: patch });
}

/**
 * Renders a train branch name, e.g. `formatBranch('train-{N}', 301)` → `train-301`.
 * Throws `VersionFormatError` for an invalid format and `RangeError` for a bad number.
 */
export function formatBranch(branchFormat: string, train: number): string {
  const compiled = compileFormat(branchFormat, 'branch');
  assertNumber(train, 'train');
  return render(compiled, { N: train, P: 0 });
}

/**
 * Reads a train branch name (`train-301` → 301); null when `name` does not
 * match `branchFormat` exactly (`train-301-fix`, `main`, `train-0301`).
 */
export function parseTrainBranch(name: string, branchFormat: string = DEFAULT_BRANCH_FORMAT): number | null {
  const values = matchFormat(compileFormat(branchFormat, 'branch'), name);
  return values?.N ?? null;
}

/**
 * All names that are release tags under `tagFormat`, parsed and sorted by
 * train then patch (ascending). Other names are dropped.
 */
export function listReleaseTags(tagNames: readonly string[], tagFormat: string = DEFAULT_TAG_FORMAT): ReleaseTag[] {
  const compiled = compileFormat(tagFormat, 'tag');
  const tags: ReleaseTag[] = [];
  for (const name of tagNames) {
    const values = matchFormat(compiled, name);
    if (values?.N !== undefined && values.P !== undefined) {
      tags.push({ name, train: values.N, patch: values.P });
    }
  }
  return tags.sort((a, b) => a.train - b.train || a.patch - b.patch);
}

/**
 * The highest train number among release tags and that train's highest tag;
 * null when no name is a release tag.
 */
export function findLatestTrain(tagNames: readonly string[], tagFormat: string = DEFAULT_TAG_FORMAT): LatestTrain | null {
  const tags = listReleaseTags(tagNames, tagFormat);
  const last = tags[tags.length - 1];
  return last === undefined ? null : { train: last.train, patch: last.patch, tag: last.name };
}

/**
 * The number of the next train to cut: latest train + 1, as the tagging
 * workflow intends. Null when there is no release tag at all (the workflow
 * cannot compute a number then). To know what the real workflow will
 * actually do with stray tags present, see `predictWorkflowTrain`.
 */
export function nextTrainNumber(tagNames: readonly string[], tagFormat: string = DEFAULT_TAG_FORMAT): number | null {
  const latest = findLatestTrain(tagNames, tagFormat);
  return latest === null ? null : latest.train + 1;
}

/**
 * The patch number of the next dot release of `train`: the highest existing
 * patch number of that train + 1 (numbers may skip: v1.100.0 and v1.100.3
 * give 4). Null when the train has no release tag at all (not cut yet).
 * Hyphenated and other non-matching tags are ignored.
 */
export function nextPatchNumber(tagNames: readonly string[], train: number, tagFormat: string = DEFAULT_TAG_FORMAT): number | null {
  let highest: number | null = null;
  for (const tag of listReleaseTags(tagNames, tagFormat)) {
    if (tag.train === train && (highest === null || tag.patch > highest)) highest = tag.patch;
  }
  return highest === null ? null : highest + 1;
}

/**
 * Strips surrounding whitespace and one leading `v`/`V`: stage's
 * `__version__` reports `1.301.2` while the tag is `v1.301.2`.
 */
export function normaliseVersion(version: string): string {
  const trimmed = version.trim();
  return trimmed.startsWith('v') || trimmed.startsWith('V') ? trimmed.slice(1) : trimmed;
}

const CORE_PATTERN = /^[0-9]+(\.[0-9]+)*$/;
const PRERELEASE_PATTERN = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;

function compareNumericStrings(a: string, b: string): number {
  const x = a.replace(/^0+(?=.)/, '');
  const y = b.replace(/^0+(?=.)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function comparePrerelease(a: string, b: string): number {
  const xs = a.split('.');
  const ys = b.split('.');
  for (let i = 0; i < Math.max(xs.length, ys.length); i += 1) {
    const x = xs[i];
    const y = ys[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNumeric = /^[0-9]+$/.test(x);
    const yNumeric = /^[0-9]+$/.test(y);
    let result: number;
    if (xNumeric && yNumeric) result = compareNumericStrings(x, y);
    else if (xNumeric) result = -1;
    else if (yNumeric) result = 1;
    else result = x < y ? -1 : x > y ? 1 : 0;
    if (result !== 0) return result;
  }
  return 0;
}

/**
 * Compares two versions (`1.301.2`, `v1.301.10`, `1.301.0-rc1`), returning
 * -1, 0 or 1. A leading `v` is ignored, numeric parts compare as numbers,
 * missing parts count as 0 (`1.301` equals `1.301.0`), and a version with a
 * `-suffix` sorts before the same version without one (semver rules for the
 * suffix). Throws `InvalidVersionError` for anything else.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const split = (version: string): { core: string[]; prerelease: string | null } => {
    const normalised = normaliseVersion(version);
    const hyphen = normalised.indexOf('-');
    const core = hyphen === -1 ? normalised : normalised.slice(0, hyphen);
    const prerelease = hyphen === -1 ? null : normalised.slice(hyphen + 1);
    if (!CORE_PATTERN.test(core) || (prerelease !== null && !PRERELEASE_PATTERN.test(prerelease))) {
      throw new InvalidVersionError(version);
    }
    return { core: core.split('.'), prerelease };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.max(x.core.length, y.core.length); i += 1) {
    const result = compareNumericStrings(x.core[i] ?? '0', y.core[i] ?? '0');
    if (result !== 0) return result < 0 ? -1 : 1;
  }
  if (x.prerelease === null && y.prerelease === null) return 0;
  if (x.prerelease === null) return 1;
  if (y.prerelease === null) return -1;
  const result = comparePrerelease(x.prerelease, y.prerelease);
  return result < 0 ? -1 : result > 0 ? 1 : 0;
}

// --- What the real `tag-release.yml` computes -------------------------------

// States and result table of git's versioncmp (glibc strverscmp).
const S_N = 0;
const S_I = 3;
const S_F = 6;
const S_Z = 9;
const CMP = 2;
const LEN = 3;
const NEXT_STATE = [S_N, S_I, S_Z, S_N, S_I, S_I, S_N, S_F, S_F, S_N, S_F, S_Z];
// prettier-ignore
const RESULT_TYPE = [
  CMP,
  CMP,
  CMP,
  CMP,
  LEN,
  CMP,
  CMP,
  CMP,
  CMP,
  CMP,
  -1,
  -1,
  +1,
  LEN,
  LEN,
  +1,
  LEN,
  LEN,
  CMP,
  CMP,
  CMP,
  CMP,
  CMP,
  CMP,
  CMP,
  CMP,
  CMP,
  CMP,
  +1,
  +1,
  -1,
  CMP,
  CMP,
  -1,
  CMP,
  CMP,
];

const encoder = new TextEncoder();

function isDigitByte(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function charClass(c: number): number {
  return (c === 0x30 ? 1 : 0) + (isDigitByte(c) ? 1 : 0);
}

/**
 * Git's `version:refname` ordering (its `versioncmp`, i.e. glibc
 * `strverscmp`, with no `versionsort.suffix` configured): negative, zero or
 * positive like a comparator. Note that under it `v1.301.0` sorts *before*
 * `v1.301.0-rc1`, and `v2.0.0` or `zeta` sort after every `v1.…` tag.
 */
export function gitVersionCompare(a: string, b: string): number {
  if (a === b) return 0;
  const p1 = encoder.encode(a);
  const p2 = encoder.encode(b);
  const at = (bytes: Uint8Array, i: number): number => bytes[i] ?? 0;
  let i = 0;
  let c1 = at(p1, i);
  let c2 = at(p2, i);
  i += 1;
  let state = S_N + charClass(c1);
  let diff = c1 - c2;
  while (diff === 0) {
    if (c1 === 0) return 0;
    state = NEXT_STATE[state] ?? S_N;
    c1 = at(p1, i);
    c2 = at(p2, i);
    i += 1;
    state += charClass(c1);
    diff = c1 - c2;
  }
  const result = RESULT_TYPE[state * 3 + charClass(c2)] ?? CMP;
  if (result === CMP) return diff;
  if (result === LEN) {
    let j1 = i;
    let j2 = i;
    while (isDigitByte(at(p1, j1))) {
      j1 += 1;
      if (!isDigitByte(at(p2, j2))) return 1;
      j2 += 1;
    }
    return isDigitByte(at(p2, j2)) ? -1 : diff;
  }
  return result;
}

/** What the tagging workflow will do, given the repository's tags. */
export interface WorkflowPrediction {
  /** The tag the workflow bases its number on (highest hyphen-free tag in git's version order). */
  readonly basedOnTag: string;
  /** The train number it will push as `train-N` / `v1.N.0`. */
  readonly train: number;
}

function awkNumber(field: string): number {
  const match = /^[ \t\n]*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?/.exec(field);
  return match === null ? 0 : Number(match[0].trim());
}

/**
 * Emulates the number computation of FxA's `tag-release.yml`, exactly:
 * `git tag -l --sort=version:refname | grep -v '-' | tail -1 | awk '{print $2 + 1}' FS='.'`.
 * Unlike `nextTrainNumber` it does not know the tag format, so a stray
 * hyphen-free tag that sorts last (`v2.0.0`, `zeta`, `stage.test`) makes the
 * workflow cut a wrong train (1 for those three). The tagging guard should
 * refuse to dispatch when this differs from `nextTrainNumber`.
 * Null when there is no hyphen-free tag (the workflow then pushes nothing).
 */
export function predictWorkflowTrain(tagNames: readonly string[]): WorkflowPrediction | null {
  const candidates = tagNames.filter((name) => name.length > 0 && !name.includes('-'));
  if (candidates.length === 0) return null;
  let highest = candidates[0] ?? '';
  for (const name of candidates) {
    if (gitVersionCompare(name, highest) > 0) highest = name;
  }
  const secondField = highest.split('.')[1] ?? '';
  return { basedOnTag: highest, train: awkNumber(secondField) + 1 };
}
