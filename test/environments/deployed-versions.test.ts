import { locateTrain, readDeployedVersions } from '../../src/environments/deployed-versions';
import { startFakeEnvironments, type FakeEnvironments } from '../fakes/version-server';

describe('deployed versions', () => {
  let environments: FakeEnvironments;
  beforeAll(async () => {
    environments = await startFakeEnvironments({ stage: '1.302.1', production: 'v1.301.3' });
  });
  afterAll(async () => {
    await environments.close();
  });

  const read = () =>
    readDeployedVersions({
      stageVersionUrl: environments.stageUrl,
      productionVersionUrl: environments.productionUrl,
      tagFormat: 'v1.{N}.{P}',
    });

  test('reads each environment’s version, without a leading v, with its train and patch', async () => {
    expect(await read()).toEqual({
      stage: { environment: 'stage', ok: true, version: '1.302.1', train: 302, patch: 1 },
      production: { environment: 'production', ok: true, version: '1.301.3', train: 301, patch: 3 },
    });
  });

  test('an environment that fails is reported with a reason, not thrown', async () => {
    environments.set('stage', null);
    const { stage, production } = await read();
    expect(stage).toEqual({ environment: 'stage', ok: false, reason: 'stage answered HTTP 503' });
    expect(production.ok).toBe(true);
    environments.set('stage', '1.302.1');
  });

  test('an unreachable environment is reported', async () => {
    const result = await readDeployedVersions({
      stageVersionUrl: 'http://127.0.0.1:9/__version__',
      productionVersionUrl: environments.productionUrl,
      tagFormat: 'v1.{N}.{P}',
    });
    expect(result.stage).toEqual({ environment: 'stage', ok: false, reason: 'stage could not be reached' });
  });

  test('locates trains: production, stage, cut, building', async () => {
    const { stage, production } = await read();
    expect(locateTrain({ train: 301, latestCutTrain: 302, stage, production })).toBe('in production');
    expect(locateTrain({ train: 302, latestCutTrain: 302, stage, production })).toBe('on stage');
    expect(locateTrain({ train: 300, latestCutTrain: 302, stage, production })).toBe('cut');
    expect(locateTrain({ train: 303, latestCutTrain: 302, stage, production })).toBe('building');
  });
});
