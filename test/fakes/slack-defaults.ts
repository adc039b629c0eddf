// Identifiers shared by the fake Slack Web API (slack-server.ts) and the
// request sender (slack-client.ts), so that a bot wired to both sees one
// consistent workspace. They follow Slack's ID formats (a type letter then
// upper-case alphanumerics) but are obviously made up.
export const FAKE_SLACK_DEFAULTS = {
  botToken: 'xoxb-test-token',
  signingSecret: 'fake-signing-secret-0123456789abcdef',
  /** Deprecated verification token Slack still sends in every payload. */
  verificationToken: 'fakeVerificationToken000',
  teamId: 'T0FXA00001',
  teamDomain: 'fxa-test',
  teamName: 'Firefox Accounts (test)',
  enterpriseId: null,
  apiAppId: 'A0RELCOND1',
  botUserId: 'U0RELBOT01',
  botId: 'B0RELBOT01',
  botName: 'release-conductor',
} as const;
