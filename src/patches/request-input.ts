/**
 * What a patch request's modal holds, read and checked without asking anyone:
 * the reasons a dot release may be justified, the commits field (SHAs and
 * links, several), and the other fields. Pure functions.
 */

/** Why a patch (dot) release is asked for: the seed's criteria, a ride-along, or something else. */
export const PATCH_REASONS = [
  { value: 's1-bug', label: 'S1 bug', hint: 'catastrophic: blocks work, over 25% of users, data loss, no workaround' },
  { value: 'test-failure', label: 'Test failure in stage or production', hint: 'legitimate: not flaky, not SRE-related' },
  { value: 'deliverable', label: 'Time-sensitive deliverable', hint: 'e.g. a new relying party launch' },
  { value: 'ride-along', label: 'Ride-along on a planned dot release', hint: 'only once a dot release of the train is planned' },
  { value: 'other', label: 'Other', hint: 'say why in the justification' },
] as const;

export type PatchReason = (typeof PATCH_REASONS)[number]['value'];

export function isPatchReason(value: string | null | undefined): value is PatchReason {
  return PATCH_REASONS.some((reason) => reason.value === value);
}

export function reasonLabel(value: string): string {
  return PATCH_REASONS.find((reason) => reason.value === value)?.label ?? value;
}

/** Reasons that need a link to the bug or the failing test. */
const NEEDS_LINK: readonly string[] = ['s1-bug', 'test-failure'];

/** At most this many commits in one request. */
export const MAX_PATCH_ITEMS = 20;

/** One thing to pick, as typed: a SHA, a commit link or a pull request link. */
export type PatchItem =
  | { kind: 'sha'; input: string; ref: string }
  | { kind: 'commit-link'; input: string; ref: string }
  | { kind: 'pull-request'; input: string; number: number };

const SHA = /^[0-9a-f]{7,40}$/i;
const GITHUB_LINK = /^https?:\/\/(?:www\.)?github\.com\/([\w.-]+)\/([\w.-]+)\/(pull|commit)\/([^/?#]+)(?:[/?#].*)?$/i;

/**
 * Reads the commits field: SHAs (7 to 40 hex characters) and links to pull
 * requests or commits of `repository`, separated by spaces, commas or new
 * lines. Returns the items and, for anything unusable, what is wrong with it.
 */
export function parsePatchItems(text: string, repository: string): { items: PatchItem[]; problems: string[] } {
  const words = text
    .split(/[\s,]+/)
    .map((word) => word.replace(/^<(.*)>$/, '$1').trim())
    .filter((word) => word !== '');
  const items: PatchItem[] = [];
  const problems: string[] = [];
  for (const word of words) {
    if (SHA.test(word)) {
      items.push({ kind: 'sha', input: word, ref: word.toLowerCase() });
      continue;
    }
    const link = GITHUB_LINK.exec(word);
    if (link) {
      const [, owner = '', repo = '', kind = '', id = ''] = link;
      if (`${owner}/${repo}`.toLowerCase() !== repository.toLowerCase()) {
        problems.push(`${clip(word)} is in ${owner}/${repo}; only ${repository} can be patched`);
      } else if (kind.toLowerCase() === 'pull' && /^\d{1,7}$/.test(id)) {
        items.push({ kind: 'pull-request', input: word, number: Number(id) });
      } else if (kind.toLowerCase() === 'commit' && SHA.test(id)) {
        items.push({ kind: 'commit-link', input: word, ref: id.toLowerCase() });
      } else {
        problems.push(`${clip(word)} is not a link to a pull request or a commit`);
      }
      continue;
    }
    if (/^[0-9a-f]+$/i.test(word)) problems.push(`${clip(word)} is too short for a commit SHA (7 to 40 hex characters)`);
    else if (/^https?:\/\//i.test(word)) problems.push(`${clip(word)} is not a link to a pull request or commit of ${repository}`);
    else problems.push(`${clip(word)} is neither a commit SHA (7 to 40 hex characters) nor a pull request link`);
  }
  if (words.length === 0) problems.push(`Give at least one commit SHA or pull request link of ${repository}`);
  if (items.length > MAX_PATCH_ITEMS) problems.push(`At most ${MAX_PATCH_ITEMS} commits in one request; split it`);
  return { items, problems };
}

/** `text`, cut to `limit` characters (with an ellipsis) to be quoted in a problem. */
export function clip(text: string, limit = 60): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** The modal's fields, as submitted. */
export interface PatchRequestForm {
  /** The chosen train; null when none (or not a number). */
  train: number | null;
  itemsText: string;
  reason: string | null;
  justification: string;
  bugUrl: string;
  impact: string;
  verifiedOnMain: boolean;
}

/** Block ids of the modal's inputs; the keys of `response_action: errors`. */
export const FIELD = {
  train: 'train',
  items: 'items',
  reason: 'reason',
  justification: 'justification',
  bugUrl: 'bug_url',
  impact: 'impact',
  verified: 'verified',
} as const;

export type FieldErrors = Partial<Record<(typeof FIELD)[keyof typeof FIELD], string>>;

/** Checks what can be checked without GitHub or the database. */
export function checkPatchRequestForm(
  form: PatchRequestForm,
  options: { repository: string; justificationMinLength: number },
): { errors: FieldErrors; items: PatchItem[] } {
  const errors: FieldErrors = {};
  if (form.train === null) errors[FIELD.train] = 'Pick the train to patch.';
  const { items, problems } = parsePatchItems(form.itemsText, options.repository);
  if (problems.length > 0) errors[FIELD.items] = joinProblems(problems);
  if (!isPatchReason(form.reason)) errors[FIELD.reason] = 'Pick the reason for the patch.';
  const justification = form.justification.trim();
  if (justification === '') errors[FIELD.justification] = 'A justification is required: say why this cannot wait for the next train.';
  else if (justification.length < options.justificationMinLength) {
    errors[FIELD.justification] =
      `Say a little more: at least ${options.justificationMinLength} characters (you wrote ${justification.length}).`;
  }
  const bugUrl = form.bugUrl.trim();
  if (bugUrl !== '' && !isWebUrl(bugUrl)) errors[FIELD.bugUrl] = 'This must be a link (https://…) to the bug or the failing test.';
  else if (bugUrl === '' && form.reason !== null && NEEDS_LINK.includes(form.reason)) {
    errors[FIELD.bugUrl] = form.reason === 's1-bug' ? 'Link the S1 bug.' : 'Link the failing test or its CI run.';
  }
  return { errors, items };
}

/**
 * One pass's answer: per field, what is wrong in the form itself, then what
 * GitHub and the database found in what could be read of it. A field that
 * could not be read says only that (the rest would be about an empty field).
 */
export function combineFieldErrors(local: FieldErrors, verified: FieldErrors, unreadable: FieldErrors): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of Object.values(FIELD)) {
    const said = unreadable[field] ?? [local[field], verified[field]].filter((text) => text !== undefined).join(' ');
    if (said !== '') errors[field] = said;
  }
  return errors;
}

/**
 * What is wrong with one commit of a request, said of it alone (`one`) or of
 * several commits with the same problem (`many`); both end with what is
 * expected instead.
 */
export interface CommitProblem {
  /** The commit as people know it: `#12 (0123abcdef)`, a short SHA, or what was typed. */
  subject: string;
  one: string;
  many: string;
}

/**
 * Every commit's problem, in the order typed: commits with the same problem
 * are named together ("a, b and c are not on main: …"), so that a long list
 * still names every commit within the field's error.
 */
export function describeCommitProblems(problems: readonly CommitProblem[]): string[] {
  const groups = new Map<string, { problem: CommitProblem; subjects: string[] }>();
  for (const problem of problems) {
    const group = groups.get(problem.one);
    if (group) {
      if (!group.subjects.includes(problem.subject)) group.subjects.push(problem.subject);
    } else groups.set(problem.one, { problem, subjects: [problem.subject] });
  }
  return [...groups.values()].map(({ problem, subjects }) =>
    subjects.length === 1 ? `${subjects[0]} ${problem.one}` : `${nameAll(subjects)} ${problem.many}`,
  );
}

/** "a", "a and b", "a, b and c". */
function nameAll(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Commits already asked for in another live request of the train (`findRequestedAlready`). */
export function requestedAlready(train: number, rows: ReadonlyArray<{ sha: string; requestId: number; status: string }>): CommitProblem[] {
  return rows.map((row) => ({
    subject: row.sha.slice(0, 10),
    one: `is already requested for train ${train} in patch request #${row.requestId} (${row.status}): leave it out`,
    many: `are already requested for train ${train} in patch request #${row.requestId} (${row.status}): leave them out`,
  }));
}

/** Slack shows a field's error under it: several problems go on one line. */
export function joinProblems(problems: string[]): string {
  const text = `${problems.join('; ')}.`;
  return text.length <= 600 ? text : `${text.slice(0, 598)}…`;
}

export function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.includes('.') && !/\s/.test(text);
  } catch {
    return false;
  }
}

/** A request as checked against GitHub and the database (verify-request.ts), ready to store. */
export interface VerifiedCommit {
  sha: string;
  title: string;
  source: PatchItem['kind'];
  pullRequest: number | null;
  input: string;
  /** Commits on main from the train's cut to this one: the order to cherry-pick in. */
  mainOrder: number;
}

export interface VerifiedRequest {
  train: number;
  /** The tag the train was cut at (its lowest release tag). */
  baseTag: string;
  /** In the order given, without repeats. */
  commits: VerifiedCommit[];
}

/** Why a ride-along cannot be asked for now: there is no planned dot release of the train. */
export function rideAlongRefusal(train: number): string {
  return `No dot release of train ${train} is planned, so there is nothing to ride along with yet. Pick the reason that justifies one on its own.`;
}
