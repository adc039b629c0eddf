// Public e-mails of GitHub profiles, many a request: one GraphQL query holds up
// to 100 aliased `user(login:)` fields (`u0: user(login: $l0) { login email }`),
// where REST needs one `GET /users/{login}` per profile. Logins travel as
// variables, so nothing typed into a login reaches the query text.
//
// GitHub's schema: `user(login: String!): User` is null, with an error of type
// NOT_FOUND at the alias's path, for a login without a user account (deleted, a
// bot, an organisation); `User.email: String!` is the public profile e-mail, ''
// when there is none. A classic token needs `read:user` or `user:email` for it
// (else the whole query fails with INSUFFICIENT_SCOPES).

/** Logins per query: GitHub's limit for one connection page, kept as the batch size to bound a query's cost. */
export const PROFILE_BATCH_SIZE = 100;

/** The query for `count` logins, passed as variables l0 … l(count-1). */
export function publicEmailsQuery(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > PROFILE_BATCH_SIZE) {
    throw new RangeError(`a profile batch holds 1 to ${PROFILE_BATCH_SIZE} logins, got ${count}`);
  }
  const indexes = Array.from({ length: count }, (_, i) => i);
  const variables = indexes.map((i) => `$l${i}: String!`).join(', ');
  const fields = indexes.map((i) => `  u${i}: user(login: $l${i}) { login email }`).join('\n');
  return `query PublicEmails(${variables}) {\n${fields}\n}`;
}

export function publicEmailsVariables(logins: readonly string[]): Record<string, string> {
  return Object.fromEntries(logins.map((login, i) => [`l${i}`, login]));
}

export type PublicEmailsResponse = Record<string, { login: string; email: string } | null>;

/** Each login of the batch (as asked) → its public e-mail, null when it has none or there is no such user. */
export function readPublicEmails(logins: readonly string[], data: PublicEmailsResponse): Map<string, string | null> {
  const emails = new Map<string, string | null>();
  logins.forEach((login, i) => {
    const user = data[`u${i}`] ?? null;
    emails.set(login, user && user.email !== '' ? user.email : null);
  });
  return emails;
}

interface GraphQlErrorLike {
  type?: unknown;
  path?: unknown;
}

/**
 * The data of a GraphQL answer whose only errors are NOT_FOUND users (a
 * partial answer: Octokit throws it, with `data` and `errors` on the error);
 * null for any other failure.
 */
export function partialAnswerOfMissingUsers(err: unknown): PublicEmailsResponse | null {
  if (typeof err !== 'object' || err === null || !('errors' in err) || !('data' in err)) return null;
  const { errors, data } = err as { errors: unknown; data: unknown };
  if (!Array.isArray(errors) || errors.length === 0 || typeof data !== 'object' || data === null) return null;
  const onlyMissingUsers = errors.every((entry: GraphQlErrorLike) => {
    if (typeof entry !== 'object' || entry === null || entry.type !== 'NOT_FOUND' || !Array.isArray(entry.path)) return false;
    return entry.path.length === 1 && typeof entry.path[0] === 'string' && /^u\d+$/.test(entry.path[0]);
  });
  return onlyMissingUsers ? (data as PublicEmailsResponse) : null;
}
