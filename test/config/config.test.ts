import { ConfigError, loadConfig, parseSettings } from '../../src/config';

const validEnv = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-abcdefghijkl',
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
};

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  test('with no settings file, every process setting is the Firefox Accounts value', () => {
    const { env, settings } = loadConfig({ env: validEnv });
    expect(settings).toMatchObject({
      repository: 'mozilla/fxa',
      mainBranch: 'main',
      tagWorkflow: 'tag-release.yml',
      imageWorkflow: 'docker.yml',
      branchFormat: 'train-{N}',
      tagFormat: 'v1.{N}.{P}',
      ciCheckName: 'test_and_deploy_tag',
      timeZone: 'America/Los_Angeles',
      cutoffTime: '10:00',
      cadenceDays: 14,
      announcementChannel: '#fxa-team',
      stageVersionUrl: 'https://accounts.stage.mozaws.net/__version__',
      productionVersionUrl: 'https://accounts.firefox.com/__version__',
    });
    expect(env).toMatchObject({
      SLACK_API_URL: 'https://slack.com/api/',
      GITHUB_API_URL: 'https://api.github.com',
      DATA_DIR: './.data',
      PORT: 3000,
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: true,
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  test('a YAML settings file overrides only what it names', () => {
    const settings = parseSettings({
      source: 'team.yml',
      text: 'repository: acme/widgets\ncutoffTime: "09:30"\nadmins:\n  users: [U0123ABCD]\nanchor: { train: 12, cutDate: "2026-01-07" }\n',
    });
    expect(settings.repository).toBe('acme/widgets');
    expect(settings.cutoffTime).toBe('09:30');
    expect(settings.admins.users).toEqual(['U0123ABCD']);
    expect(settings.anchor).toEqual({ train: 12, cutDate: '2026-01-07' });
    expect(settings.tagWorkflow).toBe('tag-release.yml');
  });

  test('the settings file is read from CONDUCTOR_CONFIG', () => {
    const { settings } = loadConfig({
      env: { ...validEnv, CONDUCTOR_CONFIG: '/etc/conductor.yml' },
      readFile: (path) => (path === '/etc/conductor.yml' ? '{"mainBranch": "trunk"}' : ''),
    });
    expect(settings.mainBranch).toBe('trunk');
  });

  test('every bad field gets one line naming it and what is expected', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: { ...validEnv, SLACK_BOT_TOKEN: 'not-a-token', PORT: 'eighty', LOG_LEVEL: 'loud', CONDUCTOR_CONFIG: 'c.yml' },
        readFile: () => 'cutoffTime: "25:00"\ntimeZone: Mars/Olympus\nrepository: fxa\nunknownSetting: 1\n',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_BOT_TOKEN: .*xoxb-/),
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^LOG_LEVEL: /),
        expect.stringMatching(/^c\.yml: cutoffTime: .*24-hour time/),
        expect.stringMatching(/^c\.yml: timeZone: .*IANA time zone/),
        expect.stringMatching(/^c\.yml: repository: .*owner\/name/),
        expect.stringMatching(/^c\.yml: .*unknownSetting/),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  test('missing secrets are named, and a malformed secret is never echoed', () => {
    const leaked = 'ghp_THISISASECRETVALUE0123456789';
    const problems = problemsOf(() => loadConfig({ env: { SLACK_BOT_TOKEN: leaked } }));
    expect(problems.join('\n')).not.toContain(leaked);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_BOT_TOKEN: /),
        expect.stringMatching(/^GITHUB_TOKEN: /),
        expect.stringMatching(/^SLACK_SIGNING_SECRET: required in HTTP mode/),
      ]),
    );
  });

  test('Socket Mode needs no signing secret', () => {
    const { env } = loadConfig({
      env: { SLACK_BOT_TOKEN: validEnv.SLACK_BOT_TOKEN, GITHUB_TOKEN: 'x', SLACK_APP_TOKEN: 'xapp-1-A111-222-abc' },
    });
    expect(env.SLACK_APP_TOKEN).toBe('xapp-1-A111-222-abc');
  });

  test('an unreadable or unparsable settings file is one clear line', () => {
    expect(
      problemsOf(() =>
        loadConfig({
          env: { ...validEnv, CONDUCTOR_CONFIG: '/missing.yml' },
          readFile: () => {
            throw Object.assign(new Error('nope'), { code: 'ENOENT' });
          },
        }),
      ),
    ).toEqual(['CONDUCTOR_CONFIG: cannot read "/missing.yml" (ENOENT)']);
    expect(problemsOf(() => parseSettings({ source: 'bad.yml', text: 'a: [unclosed' }))[0]).toMatch(/^bad\.yml: not valid YAML or JSON/);
  });
});
