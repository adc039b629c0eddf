/**
 * Splits the text of `/release …` into a subcommand and its arguments. Slack
 * sends mentions as `<@U123|name>` and channels as `<#C123|name>`; those, and
 * "double-quoted phrases", are one argument each.
 */
export interface ParsedCommand {
  /** The subcommand, lower-cased; '' when the text is empty. */
  name: string;
  args: string[];
  /** The text after the subcommand, as typed. */
  rest: string;
}

const TOKEN = /<[^<>]*>|"[^"]*"|\S+/g;

/** Parses the text that follows the slash command. */
export function parseCommandText(text: string): ParsedCommand {
  const trimmed = text.trim();
  const tokens = trimmed.match(TOKEN) ?? [];
  const [first, ...rest] = tokens;
  const name = (first ?? '').toLowerCase();
  const restText = first ? trimmed.slice(trimmed.indexOf(first) + first.length).trim() : '';
  return {
    name,
    args: rest.map((token) => (token.startsWith('"') && token.endsWith('"') && token.length >= 2 ? token.slice(1, -1) : token)),
    rest: restText,
  };
}

/** Edit distance between two words (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate closest to `word`, if it is close enough to be what was meant. */
export function closestMatch(word: string, candidates: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) && word.length >= 2 ? 0 : editDistance(word, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.floor(best.candidate.length / 3));
  return best.distance <= allowed ? best.candidate : undefined;
}
