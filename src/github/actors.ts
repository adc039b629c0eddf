// Who wrote a pull request, as the GraphQL queries select it (`author { __typename login }`).

/** An `Actor` (User, Bot, Organization, Mannequin, …) with what the queries ask of it. */
export interface GraphQLActor {
  __typename: string;
  login: string;
}

/**
 * The login as REST, webhooks and `/users/{login}` spell it. GraphQL gives a
 * GitHub App's bot without the suffix (`{ __typename: "Bot", login: "dependabot" }`),
 * REST as `dependabot[bot]` (type "Bot"). null for a deleted account ("ghost").
 */
export function restLogin(actor: GraphQLActor | null): string | null {
  if (!actor) return null;
  return actor.__typename === 'Bot' && !actor.login.endsWith('[bot]') ? `${actor.login}[bot]` : actor.login;
}
