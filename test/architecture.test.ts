/**
 * The design rules of DESIGN.md §4, executable: they read src/**\/*.ts (src/generated excepted) as text
 * (test/support/architecture.ts finds imports and code patterns) and fail with every offending
 * file:line and what to do. Each rule is also run over a tiny tree of its own, to prove it can fail.
 *
 * Layers (a top-level folder of src/ is a feature unless this table names it):
 *
 * | layer    | where                                                              | may import                                           |
 * | -------- | ------------------------------------------------------------------ | ---------------------------------------------------- |
 * | edge     | src/main.ts, src/cli.ts, src/app.ts                                | anything                                             |
 * | features | every other top-level folder: kickoff, notes, patches, reminders,  | shared, adapters, train, other features' stores      |
 * |          | rotation, schedule, status, tagging                                 |                                                      |
 * | shared   | src/commands, src/auth, src/audit; deps.ts, config.ts, errors.ts,  | adapters, train (never a feature: cycles would say)  |
 * |          | logger.ts                                                          |                                                      |
 * | adapters | src/db, src/github, src/git, src/slack, src/scheduler, src/server, | each other, train, the shared files; never a feature |
 * |          | src/environments, src/metrics                                      | nor the edge                                         |
 * | domain   | src/train                                                          | node built-ins and TRAIN_LIBRARIES only              |
 *
 * No import cycles anywhere (type imports included). Only the edge reads process.env or the real clock
 * (and the infrastructure in CLOCK_READERS, which measures elapsed time); only stores, ledgers and
 * src/db touch Prisma or SQL; only src/slack calls the Slack Web API.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  analyse,
  type Analysis,
  findCycles,
  formatCycle,
  importViolations,
  patternViolations,
  readSourceTree,
  report,
  type SourceTree,
  type Violation,
} from './support/architecture';

const ROOT = path.resolve(__dirname, '..');

const ADAPTERS = ['db', 'github', 'git', 'slack', 'scheduler', 'server', 'environments', 'metrics'];
const DOMAIN = ['train'];
/** Folders that serve several features and are none: the command router, the admin directory, the audit trail. */
const SHARED = ['commands', 'auth', 'audit'];
const EDGE = ['src/main.ts', 'src/cli.ts', 'src/app.ts'];
/** The libraries src/train may use besides node's built-ins. */
const TRAIN_LIBRARIES = ['luxon', 'zod'];
const ENV_READERS = ['src/main.ts', 'src/config.ts', 'src/cli.ts'];
/** Who may read the real clock (`new Date()`, `Date.now()`), and why. */
const CLOCK_READERS: Record<string, string> = {
  'src/main.ts': 'the edge: it makes the clock every other module is given',
  'src/cli.ts': 'the edge: a command run by hand is dated by the machine',
  'src/db/database.ts': 'retryUntil measures how long it has waited for the database to answer at start',
  'src/slack/guard-requests.ts':
    "Slack signs requests with the real time: the 5-minute window is checked against the wall clock, as Bolt's own check is",
  'src/github/errors.ts':
    "x-ratelimit-reset is an instant on GitHub's real clock, so it is compared with the real clock, not the injected one",
};

function topFolder(file: string): string | null {
  return /^src\/([^/]+)\//.exec(file)?.[1] ?? null;
}
function isAdapter(file: string): boolean {
  return ADAPTERS.includes(topFolder(file) ?? '');
}
function isFeature(file: string): boolean {
  const top = topFolder(file);
  return top !== null && top !== 'generated' && ![...ADAPTERS, ...DOMAIN, ...SHARED].includes(top);
}
function isPersistence(file: string): boolean {
  const name = path.posix.basename(file);
  return /-store\.ts$/.test(name) || /-ledger\.ts$/.test(name) || name === 'ledger.ts' || file.startsWith('src/db/');
}

/** The Prisma model delegates (`rosterMember`, …) of prisma/schema.prisma. */
function prismaModels(): string[] {
  const schema = readFileSync(path.join(ROOT, 'prisma', 'schema.prisma'), 'utf8');
  return [...schema.matchAll(/^model\s+(\w+)/gm)].map((m) => (m[1] as string).charAt(0).toLowerCase() + (m[1] as string).slice(1));
}

const DELEGATE_METHODS = [
  'findMany',
  'findFirst',
  'findFirstOrThrow',
  'findUnique',
  'findUniqueOrThrow',
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'upsert',
  'delete',
  'deleteMany',
  'count',
  'aggregate',
  'groupBy',
];

// The rules: each returns its offences (empty when the tree keeps it).
const rules = {
  cycles: (a: Analysis): string[] => findCycles(a).map(formatCycle),
  adapterImports: (a: Analysis): Violation[] =>
    importViolations(a, (file, target) => {
      if (!isAdapter(file) || target.kind !== 'file') return null;
      if (isFeature(target.path)) return `imports the feature file ${target.path}`;
      if (EDGE.includes(target.path)) return `imports ${target.path}`;
      return null;
    }),
  trainImports: (a: Analysis): Violation[] =>
    importViolations(a, (file, target) => {
      if (!file.startsWith('src/train/')) return null;
      if (target.kind === 'builtin') return null;
      if (target.kind === 'package') return TRAIN_LIBRARIES.includes(target.name) ? null : `imports the package ${target.name}`;
      return target.path.startsWith('src/train/') ? null : `imports ${target.path}`;
    }),
  envReads: (a: Analysis): Violation[] =>
    patternViolations(a, [/\bprocess\s*\.\s*env\b/, /\bprocess\s*\[/], (file) => !ENV_READERS.includes(file)),
  clockReads: (a: Analysis): Violation[] =>
    patternViolations(a, [/\bnew\s+Date\s*\(\s*\)/, /\bDate\s*\.\s*now\b/], (file) => !(file in CLOCK_READERS)),
  persistence: (a: Analysis, models: string[]): Violation[] =>
    patternViolations(
      a,
      [
        /\$transaction\b/,
        /\$queryRaw\w*/,
        /\$executeRaw\w*/,
        /\bsql\s*\.\s*query\s*\(/,
        /\bsession\s*\.\s*query\s*\(/,
        new RegExp(`\\.\\s*(?:${models.join('|')})\\s*\\.\\s*(?:${DELEGATE_METHODS.join('|')})\\s*\\(`),
        /\bprisma\s*\.\s*(?!\$)[A-Za-z_]\w*\s*\./,
      ],
      (file) => !isPersistence(file),
    ),
  slackWebApi: (a: Analysis): Violation[] =>
    patternViolations(
      a,
      [/\.\s*chat\s*\./, /\bdeps\s*\.\s*slack\s*\./],
      (file) => file.startsWith('src/') && !file.startsWith('src/slack/'),
    ),
  listenersFolder: (tree: SourceTree): string[] => [...tree.keys()].filter((file) => file.startsWith('src/listeners/')),
};

/** Fails with the rule's report when there are offences. */
function expectNone(rule: string, offences: Array<Violation | string>, advice: string): void {
  const message = report(rule, offences, advice);
  if (message !== '') throw new Error(message);
}

describe('architecture: the rules of DESIGN.md §4 hold in src/', () => {
  const tree = readSourceTree(ROOT, { dirs: ['src'], exclude: ['src/generated'] });
  const src = analyse(tree);

  it('reads the whole of src/ (so that a clean result means something)', () => {
    expect(tree.has('src/main.ts')).toBe(true);
    expect(tree.size).toBeGreaterThan(50);
    expect([...tree.keys()].some((file) => file.startsWith('src/generated/'))).toBe(false);
  });

  it('lists in its allowlists only files that exist (a stale entry would hide a new offence)', () => {
    const stale = [...ENV_READERS, ...Object.keys(CLOCK_READERS), ...EDGE].filter((file) => !tree.has(file));
    expect(stale).toEqual([]);
  });

  it('has no import cycles (type imports included)', () => {
    expectNone(
      'import cycles',
      rules.cycles(src),
      'break each cycle: move the shared piece (a type, a constant, a pure function) into a module both sides import, ' +
        'or pass the dependency in as an argument; a type-only import still counts.',
    );
  });

  it('adapters never import a feature or the edge', () => {
    expectNone(
      `adapters (${ADAPTERS.map((a) => `src/${a}`).join(', ')}) importing features or ${EDGE.join(', ')}`,
      rules.adapterImports(src),
      'an adapter knows nothing of features: declare the port (a type) in the adapter or in src/deps.ts and let the feature ' +
        'implement or call it, or move the code into the feature.',
    );
  });

  it('src/train imports only node built-ins and its libraries', () => {
    expectNone(
      `src/train importing outside itself (allowed: node built-ins, ${TRAIN_LIBRARIES.join(', ')})`,
      rules.trainImports(src),
      'train/ is pure calendar and version rules: return data and let the caller (a feature view) render it, ' +
        'or move the helper into src/train; a new library goes into TRAIN_LIBRARIES in this test on purpose.',
    );
  });

  it(`reads process.env only in ${ENV_READERS.join(', ')}`, () => {
    expectNone(
      'process.env outside the edge',
      rules.envReads(src),
      'add the setting to the zod schema in src/config.ts (with its doc) and pass the value in through deps or an argument.',
    );
  });

  it('reads the real clock only at the edge and in the listed infrastructure', () => {
    expectNone(
      `new Date() / Date.now() outside ${Object.keys(CLOCK_READERS).join(', ')}`,
      rules.clockReads(src),
      'take `now` (a Date, or deps.now()) as an argument; infrastructure that only measures elapsed time may be added to ' +
        'CLOCK_READERS in this test with a one-line reason.',
    );
  });

  it('touches Prisma and SQL only in stores, ledgers and src/db', () => {
    expectNone(
      'Prisma or SQL outside *-store.ts, *-ledger.ts, ledger.ts and src/db/',
      rules.persistence(src, prismaModels()),
      "move the query into the owning feature's *-store.ts (a cross-feature read goes through the other feature's store) " +
        'and call the store function.',
    );
  });

  it('calls the Slack Web API only in src/slack', () => {
    expectNone(
      'Slack Web API calls (.chat., deps.slack.) outside src/slack/',
      rules.slackWebApi(src),
      "post, update and open DMs through the Slack messenger port (src/slack/), which records and classifies Slack's answers.",
    );
  });

  it('has no src/listeners/ (features register themselves)', () => {
    expectNone(
      'src/listeners/ still holds files',
      rules.listenersFolder(tree),
      "move each listener into its feature folder (e.g. <feature>/slack.ts) and list it in the feature's index.ts Feature value.",
    );
  });
});

describe('architecture: each rule can fail', () => {
  const of = (files: Record<string, string>): SourceTree => new Map(Object.entries(files));
  const where = (offences: Violation[]) => offences.map((v) => `${v.file}:${v.line}`);

  it('finds a cycle through a type import, a directory index and a .js specifier', () => {
    const a = analyse(
      of({
        'src/a/x.ts': "import { y } from './y.js';\n",
        'src/a/y.ts': "// import { x } from './x';\nexport { z } from '../b';\n",
        'src/b/index.ts': "\nimport type { X } from '../a/x';\n",
        'src/c.ts': "import { x } from './a/x';\n",
      }),
    );
    expect(rules.cycles(a)).toEqual(['src/a/x.ts:1 → src/a/y.ts:2 → src/b/index.ts:2 → src/a/x.ts']);
  });

  it('finds an adapter that imports a feature or app.ts', () => {
    const a = analyse(
      of({
        'src/slack/post.ts': "import { thing } from '../tagging/notices';\nimport type { AppDeps } from '../deps';\n",
        'src/db/x.ts': "const app = require('../app');\n",
        'src/tagging/notices.ts': "import { post } from '../slack/post';\n",
        'src/app.ts': '',
        'src/deps.ts': '',
      }),
    );
    expect(where(rules.adapterImports(a))).toEqual(['src/slack/post.ts:1', 'src/db/x.ts:1']);
  });

  it('finds src/train importing another folder or a library it does not list', () => {
    const a = analyse(
      of({
        'src/train/format.ts': "import { DateTime } from 'luxon';\nimport { slackDate } from '../slack/mrkdwn';\nimport '@slack/bolt';\n",
        'src/train/calendar.ts': "import { readFileSync } from 'node:fs';\nimport { f } from './format';\n",
        'src/slack/mrkdwn.ts': '',
      }),
    );
    expect(where(rules.trainImports(a))).toEqual(['src/train/format.ts:2', 'src/train/format.ts:3']);
  });

  it('finds process.env outside the edge, and not in a comment or a string', () => {
    const a = analyse(
      of({
        'src/config.ts': 'const url = process.env.DATABASE_URL;\n',
        'src/tagging/watch.ts': "// process.env.X\nconst s = 'process.env';\nconst hooks = Boolean(process.env.GITHUB_WEBHOOK_SECRET);\n",
      }),
    );
    expect(where(rules.envReads(a))).toEqual(['src/tagging/watch.ts:3']);
  });

  it('finds the real clock outside the edge, but not a Date built from a value', () => {
    const a = analyse(
      of({
        'src/main.ts': 'const now = () => new Date();\n',
        'src/reminders/sweep.ts':
          'const at = new Date(now.getTime());\nconst t = new Date();\nconst ms = Date.now() - start;\nconst clock = Date.now;\n',
      }),
    );
    expect(where(rules.clockReads(a))).toEqual(['src/reminders/sweep.ts:2', 'src/reminders/sweep.ts:3', 'src/reminders/sweep.ts:4']);
  });

  it('finds Prisma and SQL outside stores and ledgers', () => {
    const a = analyse(
      of({
        'src/tagging/release-store.ts': 'await deps.prisma.tagRelease.findMany();\n',
        'src/reminders/message-ledger.ts': 'await prisma.$executeRaw`DELETE`;\n',
        'src/db/migrate.ts': "await sql.query('SELECT 1');\n",
        'src/kickoff/announce.ts':
          'await deps.prisma.trainThread.findFirst();\nawait prisma.$transaction(async (tx) => tx.trainThread.update({}));\n' +
          "await prisma.$queryRaw`SELECT 1`;\nawait session.query('SELECT 1');\nconst n = deps.prisma.$disconnect;\n",
      }),
    );
    expect(where(rules.persistence(a, ['tagRelease', 'trainThread']))).toEqual([
      'src/kickoff/announce.ts:1',
      'src/kickoff/announce.ts:2',
      'src/kickoff/announce.ts:3',
      'src/kickoff/announce.ts:4',
    ]);
  });

  it('finds Slack Web API calls outside src/slack', () => {
    const a = analyse(
      of({
        'src/slack/messenger.ts': 'await client.chat.postMessage({});\n',
        'src/patches/delivery.ts': 'await deps.slack.chat.postMessage({});\nawait deps.slack.conversations.open({});\n',
        'src/reminders/sweep.ts': 'await client.chat.update({});\n',
      }),
    );
    expect(where(rules.slackWebApi(a))).toEqual(['src/patches/delivery.ts:1', 'src/patches/delivery.ts:2', 'src/reminders/sweep.ts:1']);
  });

  it('finds src/listeners/', () => {
    expect(rules.listenersFolder(of({ 'src/listeners/index.ts': '', 'src/app.ts': '' }))).toEqual(['src/listeners/index.ts']);
  });

  it('reads every import form, and none in comments, strings, templates or regular expressions', () => {
    const a = analyse(
      of({
        'src/x.ts': [
          "import a from './a';",
          "import type { B } from './b';",
          "import {\n  c,\n  type C,\n} from './c';",
          "import './d';",
          "export * from './e';",
          "export type { F } from './f';",
          "const g = await import('./g');",
          "const h = require('./h') as typeof import('./i');",
          "/* import j from './j'; */",
          'const s = "import k from \'./k\'";',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal as source text the scanner must skip
          'const t = `${a} import l from "./l" ${`nested`}`;',
          "const r = /import m from '.\\/m'/;",
          'const o = { import(x: string) { return x; } };',
          'export { n };',
          "import z from './z';",
        ].join('\n'),
      }),
    );
    const imports = (a.files.get('src/x.ts')?.imports ?? []).map((i) => `${i.line} ${i.form}${i.typeOnly ? ' type' : ''} ${i.specifier}`);
    expect(imports).toEqual([
      '1 import ./a',
      '2 import type ./b',
      '3 import ./c',
      '7 import ./d',
      '8 export ./e',
      '9 export type ./f',
      '10 dynamic ./g',
      '11 require ./h',
      '11 dynamic type ./i',
      '18 import ./z',
    ]);
  });
});
