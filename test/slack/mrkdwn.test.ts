import { slackDateToken } from '../../src/slack/mrkdwn';

const WINTER_CUTOFF = new Date('2026-11-04T18:00:00Z'); // Wed 10:00 PST

describe('slackDateToken', () => {
  it("renders Slack's date syntax with a fallback", () => {
    expect(slackDateToken(WINTER_CUTOFF)).toBe('<!date^1793815200^{date_short_pretty} at {time}|Wed 4 Nov 2026, 18:00 UTC>');
    expect(slackDateToken(WINTER_CUTOFF, '{time}', '10:00 PT')).toBe('<!date^1793815200^{time}|10:00 PT>');
    expect(slackDateToken(new Date(WINTER_CUTOFF.getTime() + 999), 'cutoff {ago}', 'x')).toBe('<!date^1793815200^cutoff {ago}|x>');
  });

  it('escapes the fallback and rejects formats that would break the token', () => {
    expect(slackDateToken(WINTER_CUTOFF, '{date}', 'a <b> & c')).toBe('<!date^1793815200^{date}|a &lt;b&gt; &amp; c>');
    expect(() => slackDateToken(WINTER_CUTOFF, '{time}|x')).toThrow(RangeError);
    expect(() => slackDateToken(WINTER_CUTOFF, '{hour}')).toThrow(/\{hour\}/);
    expect(() => slackDateToken(new Date(Number.NaN))).toThrow(RangeError);
  });
});
