import { scrubSecrets } from '../../src/logger';
import { captureLogs } from '../support/logs';

const capture = () => captureLogs({ level: 'debug' });

const slackToken = 'xoxb-2150414389-8827340958123-Kq9ZcM3vXbT1pQwErTyUiOpA';
const githubToken = 'ghp_R4nd0mL00k1ngT0k3nV4lu3abcdef012345';
const fineGrained = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz';
const appToken = 'xapp-1-A0123456789-1234567890123-abcdef0123456789';

describe('logs never carry secrets', () => {
  test('tokens in messages, fields, headers, URLs and errors are redacted', () => {
    const { lines, logger } = capture();
    const child = logger.child({ module: 'test' });
    child.info({ token: slackToken, headers: { authorization: `token ${githubToken}` } }, `calling with ${slackToken}`);
    child.warn({ url: `https://x-access-token:${githubToken}@github.com/mozilla/fxa.git` }, 'clone');
    child.error({ err: new Error(`request failed: Authorization: Bearer ${fineGrained}`) }, 'failed');
    child.info({ config: { SLACK_APP_TOKEN: appToken, DATABASE_URL: 'postgresql://bot:hunter22@db:5432/conductor' } }, 'config');
    const output = lines.join('');
    for (const secret of [slackToken, githubToken, fineGrained, appToken, 'hunter22']) expect(output).not.toContain(secret);
    expect(output).toContain('[redacted]');
    expect(output).toContain('"module":"test"');
    expect(output).toContain('postgresql://bot:[redacted]@db:5432/conductor');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  test('ordinary text is left alone', () => {
    expect(scrubSecrets('train 301 tagged as v1.301.0 by U012ABC')).toBe('train 301 tagged as v1.301.0 by U012ABC');
  });
});
