import {
  compareVersions,
  DEFAULT_BRANCH_FORMAT,
  DEFAULT_TAG_FORMAT,
  findLatestTrain,
  formatBranch,
  formatTag,
  gitVersionCompare,
  InvalidVersionError,
  listReleaseTags,
  nextPatchNumber,
  nextTrainNumber,
  normaliseVersion,
  parseReleaseTag,
  parseTrainBranch,
  predictWorkflowTrain,
  VersionFormatError,
} from '../../src/train/versions';

// Shaped like mozilla/fxa's tag list: releases, patch releases with a gap,
// release candidates, subscription-platform tags and a temporary stage tag.
const FXA_TAGS = [
  'v1.299.4',
  'v1.300.0',
  'v1.300.1',
  'v1.300.3',
  'v1.301.0',
  'v1.301.0-rc1',
  'v1.302.0-rc',
  'subplat-v1.2.3',
  'v1.301.1-fix-login',
  'jdoe-stage-test',
];

describe('parseReleaseTag', () => {
  it('reads release tags', () => {
    expect(parseReleaseTag('v1.301.0')).toEqual({ train: 301, patch: 0 });
    expect(parseReleaseTag('v1.300.12')).toEqual({ train: 300, patch: 12 });
    expect(parseReleaseTag('v1.0.0')).toEqual({ train: 0, patch: 0 });
  });

  it.each([
    'v1.301.0-rc1',
    'v1.302.0-rc',
    'subplat-v1.2.3',
    'v2.0.0',
    'v1.301',
    'v1.301.0.1',
    '1.301.0',
    'V1.301.0',
    'v1.0301.0',
    'v1.301.00',
    'v1.301.x',
    ' v1.301.0',
    'refs/tags/v1.301.0',
    'v1x301x0',
    '',
  ])('rejects %p', (name) => {
    expect(parseReleaseTag(name)).toBeNull();
  });

  it('follows a custom format', () => {
    expect(parseReleaseTag('release-42.3', 'release-{N}.{P}')).toEqual({ train: 42, patch: 3 });
    expect(parseReleaseTag('v1.42.3', 'release-{N}.{P}')).toBeNull();
    expect(parseReleaseTag('p3-of-42', 'p{P}-of-{N}')).toEqual({ train: 42, patch: 3 });
  });

  it('rejects unusable formats with a typed error', () => {
    expect(() => parseReleaseTag('v1.1.1', 'v1.{N}')).toThrow(VersionFormatError);
    expect(() => parseReleaseTag('v1.1.1', 'v1.{N}.{N}')).toThrow(/more than once/);
    expect(() => parseReleaseTag('v1.1.1', 'v1.{N}{P}')).toThrow(/separated/);
    expect(() => parseReleaseTag('v1.1.1', 'v1.{N}.{X}')).toThrow(/unknown placeholder/);
    expect(() => parseReleaseTag('v1.1.1', 'v1.{N.{P}')).toThrow(VersionFormatError);
    expect(() => parseReleaseTag('v1.1.1', 'v1.{N}.{P}}')).toThrow(/unbalanced/);
  });
});

describe('formatTag / formatBranch / parseTrainBranch', () => {
  it('renders FxA names', () => {
    expect(formatTag(DEFAULT_TAG_FORMAT, 301, 2)).toBe('v1.301.2');
    expect(formatTag('release-{N}.{P}', 42, 0)).toBe('release-42.0');
    expect(formatBranch(DEFAULT_BRANCH_FORMAT, 301)).toBe('train-301');
    expect(formatBranch('release/{N}', 7)).toBe('release/7');
  });

  it('round-trips', () => {
    expect(parseReleaseTag(formatTag(DEFAULT_TAG_FORMAT, 123, 45))).toEqual({ train: 123, patch: 45 });
    expect(parseTrainBranch(formatBranch(DEFAULT_BRANCH_FORMAT, 123))).toBe(123);
  });

  it('parses branches exactly', () => {
    expect(parseTrainBranch('train-301')).toBe(301);
    expect(parseTrainBranch('release/7', 'release/{N}')).toBe(7);
    for (const name of ['train-301-fix', 'main', 'train-0301', 'train-', 'train-3O1', 'xtrain-301']) {
      expect(parseTrainBranch(name)).toBeNull();
    }
  });

  it('rejects bad numbers and formats', () => {
    expect(() => formatTag(DEFAULT_TAG_FORMAT, -1, 0)).toThrow(RangeError);
    expect(() => formatTag(DEFAULT_TAG_FORMAT, 301, 1.5)).toThrow(RangeError);
    expect(() => formatBranch('train-{N}-{P}', 1)).toThrow(VersionFormatError);
    expect(() => formatBranch('train', 1)).toThrow(/\{N\}/);
  });
});

describe('train and patch numbering', () => {
  it('lists only release tags, sorted', () => {
    expect(listReleaseTags(FXA_TAGS).map((t) => t.name)).toEqual(['v1.299.4', 'v1.300.0', 'v1.300.1', 'v1.300.3', 'v1.301.0']);
  });

  it('finds the latest train and its highest tag', () => {
    expect(findLatestTrain(FXA_TAGS)).toEqual({ train: 301, patch: 0, tag: 'v1.301.0' });
    expect(findLatestTrain(['v1.300.3', 'v1.300.10', 'v1.300.9'])).toEqual({ train: 300, patch: 10, tag: 'v1.300.10' });
    expect(findLatestTrain(['v1.99.0', 'v1.100.0'])?.train).toBe(100);
    expect(findLatestTrain(['subplat-v1.2.3', 'v1.302.0-rc'])).toBeNull();
    expect(findLatestTrain([])).toBeNull();
  });

  it('computes the next train, ignoring rc, subplat and other majors', () => {
    expect(nextTrainNumber(FXA_TAGS)).toBe(302);
    expect(nextTrainNumber([...FXA_TAGS, 'v2.0.0', 'v1.400.0-rc1'])).toBe(302);
    expect(nextTrainNumber(['release-9.1'], 'release-{N}.{P}')).toBe(10);
    expect(nextTrainNumber(['subplat-v1.2.3'])).toBeNull();
  });

  it('computes the next patch from the highest one, numbers may skip', () => {
    expect(nextPatchNumber(FXA_TAGS, 300)).toBe(4);
    expect(nextPatchNumber(['v1.100.0', 'v1.100.3'], 100)).toBe(4);
    expect(nextPatchNumber(FXA_TAGS, 301)).toBe(1);
    expect(nextPatchNumber([...FXA_TAGS, 'v1.301.5-rc1', 'v1.301.7-custom'], 301)).toBe(1);
    expect(nextPatchNumber(FXA_TAGS, 299)).toBe(5);
  });

  it('returns null for a train that has not been cut', () => {
    expect(nextPatchNumber(FXA_TAGS, 302)).toBeNull();
    expect(nextPatchNumber(['v1.302.0-rc'], 302)).toBeNull();
  });
});

describe('normaliseVersion and compareVersions', () => {
  it('strips a leading v and whitespace', () => {
    expect(normaliseVersion('v1.301.2')).toBe('1.301.2');
    expect(normaliseVersion('1.301.2')).toBe('1.301.2');
    expect(normaliseVersion(' V1.301.2\n')).toBe('1.301.2');
    expect(normaliseVersion('vv1')).toBe('v1');
  });

  it('compares stage versions with tags', () => {
    expect(compareVersions('1.301.2', 'v1.301.2')).toBe(0);
    expect(compareVersions('v1.301.2', 'v1.301.10')).toBe(-1);
    expect(compareVersions('v1.302.0', 'v1.301.10')).toBe(1);
    expect(compareVersions('v1.99.0', 'v1.100.0')).toBe(-1);
    expect(compareVersions('v1.301', 'v1.301.0')).toBe(0);
    expect(compareVersions('v2.0.0', 'v1.999.999')).toBe(1);
    expect(compareVersions('1.301.007', '1.301.7')).toBe(0);
    expect(compareVersions('1.99999999999999999999.0', '1.99999999999999999998.0')).toBe(1);
  });

  it('orders pre-release suffixes before the release', () => {
    expect(compareVersions('v1.301.0-rc1', 'v1.301.0')).toBe(-1);
    expect(compareVersions('v1.301.0', 'v1.301.0-rc1')).toBe(1);
    expect(compareVersions('v1.301.0-rc.2', 'v1.301.0-rc.10')).toBe(-1);
    expect(compareVersions('v1.301.0-rc', 'v1.301.0-rc.1')).toBe(-1);
    expect(compareVersions('v1.301.0-1', 'v1.301.0-alpha')).toBe(-1);
    expect(compareVersions('v1.301.1-rc1', 'v1.301.0')).toBe(1);
  });

  it('sorts a tag list', () => {
    const sorted = ['v1.300.10', 'v1.300.9', 'v1.301.0-rc1', 'v1.301.0', '1.300.0'].sort(compareVersions);
    expect(sorted).toEqual(['1.300.0', 'v1.300.9', 'v1.300.10', 'v1.301.0-rc1', 'v1.301.0']);
  });

  it.each(['subplat-v1.2.3', '', 'v', 'v1..2', '1.x.0', 'latest', 'v1.2.3-'])('throws for %p', (bad) => {
    expect(() => compareVersions(bad, '1.0.0')).toThrow(InvalidVersionError);
  });
});

describe('what tag-release.yml will actually do', () => {
  // Order printed by `git tag -l --sort=version:refname` (git 2.39) for these tags.
  const GIT_ORDER = [
    'V1.400.0',
    'stage.test',
    'subplat-v1.2.3',
    'v1.001.0',
    'v1.01.0',
    'v1.010.0',
    'v1.09.0',
    'v1.0.0',
    'v1.1.0',
    'v1.99.0',
    'v1.100.0',
    'v1.300.0',
    'v1.300.9',
    'v1.300.10',
    'v1.301',
    'v1.301.0',
    'v1.301.0-rc1',
    'v1.301.0a',
    'v1.302.0-rc',
    'v2.0.0',
    'v10',
    'vX',
    'zeta',
  ];

  it("sorts like git's version:refname", () => {
    const shuffled = [...GIT_ORDER].reverse();
    shuffled.push(...shuffled.splice(0, 7));
    expect(shuffled.sort(gitVersionCompare)).toEqual(GIT_ORDER);
    expect(gitVersionCompare('v1.301.0', 'v1.301.0')).toBe(0);
  });

  it('agrees with nextTrainNumber on a clean FxA tag list', () => {
    const clean = FXA_TAGS.filter((t) => t !== 'jdoe-stage-test');
    expect(predictWorkflowTrain(clean)).toEqual({ basedOnTag: 'v1.301.0', train: 302 });
    expect(predictWorkflowTrain(FXA_TAGS)).toEqual({ basedOnTag: 'v1.301.0', train: 302 });
  });

  it('exposes stray hyphen-free tags that would make the workflow cut a wrong train', () => {
    expect(predictWorkflowTrain([...FXA_TAGS, 'v2.0.0'])).toEqual({ basedOnTag: 'v2.0.0', train: 1 });
    expect(predictWorkflowTrain([...FXA_TAGS, 'zeta'])).toEqual({ basedOnTag: 'zeta', train: 1 });
    expect(predictWorkflowTrain([...FXA_TAGS, 'v1.301.0a'])).toEqual({ basedOnTag: 'v1.301.0a', train: 302 });
    expect(predictWorkflowTrain(GIT_ORDER)).toEqual({ basedOnTag: 'zeta', train: 1 });
    expect(nextTrainNumber([...FXA_TAGS, 'v2.0.0'])).toBe(302);
  });

  it('returns null when there is no hyphen-free tag', () => {
    expect(predictWorkflowTrain(['subplat-v1.2.3', 'v1.302.0-rc'])).toBeNull();
    expect(predictWorkflowTrain([])).toBeNull();
  });
});
