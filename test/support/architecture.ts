/**
 * A small static checker for the architecture test (test/architecture.test.ts): it reads TypeScript
 * sources as text, finds their imports (`import … from`, `import type`, `export … from`, `import('…')`,
 * `require('…')`) with a tokenizer that knows comments, strings, template literals and regular
 * expressions, resolves relative specifiers to files (`./x`, `./x.js`, `./dir` → `dir/index.ts`), and
 * finds patterns in code with comments and string contents blanked out. No compiler API: TypeScript 7's
 * package has no JavaScript one. The rules themselves live in the test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

/** Source files by path relative to the project root, with forward slashes (`src/app.ts`). */
export type SourceTree = Map<string, string>;

/** Reads every `.ts` file below `dirs` (relative to `root`), leaving out the paths that start with one of `exclude`. */
export function readSourceTree(root: string, options: { dirs: string[]; exclude?: string[] }): SourceTree {
  const tree: SourceTree = new Map();
  const excluded = (relative: string) => (options.exclude ?? []).some((prefix) => relative === prefix || relative.startsWith(`${prefix}/`));
  const walk = (relativeDir: string) => {
    for (const entry of readdirSync(path.join(root, relativeDir), { withFileTypes: true })) {
      const relative = `${relativeDir}/${entry.name}`;
      if (excluded(relative)) continue;
      if (entry.isDirectory()) walk(relative);
      else if (entry.isFile() && entry.name.endsWith('.ts')) tree.set(relative, readFileSync(path.join(root, relative), 'utf8'));
    }
  };
  for (const dir of options.dirs) walk(dir);
  return new Map([...tree].sort(([a], [b]) => a.localeCompare(b)));
}

export interface Token {
  kind: 'ident' | 'punct' | 'string' | 'template' | 'regex' | 'number';
  /** The identifier or punctuation; for a string, its contents. */
  value: string;
  line: number;
}

export interface Scanned {
  tokens: Token[];
  /** The source with comments and the contents of strings, template literals and regular expressions blanked (same length, same lines). */
  code: string;
}

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

/** Tokenizes TypeScript source well enough to find imports and to blank out what is not code. */
export function scan(source: string): Scanned {
  const masked = source.split('');
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  let line = 1;
  let braceDepth = 0;
  // For each open `${` of a template literal, the brace depth at which it was opened.
  const substitutions: number[] = [];

  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      if (masked[k] === '\n') line++;
      else masked[k] = ' ';
    }
  };
  const regexAllowed = () => {
    const last = tokens[tokens.length - 1];
    if (!last) return true;
    if (last.kind === 'punct') return last.value !== ')' && last.value !== ']' && last.value !== '}';
    if (last.kind === 'ident') return KEYWORDS_BEFORE_EXPRESSION.has(last.value);
    return false;
  };
  // Reads template text from `from` (just after "`" or a closing `}`); returns where code resumes.
  const templateChunk = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = source[j];
      if (c === '\\') j += 2;
      else if (c === '`') {
        blank(from, j);
        tokens.push({ kind: 'template', value: source.slice(from, j), line });
        return j + 1;
      } else if (c === '$' && source[j + 1] === '{') {
        blank(from, j);
        tokens.push({ kind: 'template', value: source.slice(from, j), line });
        substitutions.push(braceDepth);
        braceDepth++;
        return j + 2;
      } else j++;
    }
    blank(from, n);
    return n;
  };

  while (i < n) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && source[j] !== c && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      const startLine = line;
      blank(i + 1, j);
      tokens.push({ kind: 'string', value: source.slice(i + 1, j), line: startLine });
      i = j + 1;
    } else if (c === '`') {
      i = templateChunk(i + 1);
    } else if (c === '}' && substitutions.length > 0 && braceDepth - 1 === substitutions[substitutions.length - 1]) {
      substitutions.pop();
      braceDepth--;
      i = templateChunk(i + 1);
    } else if (c === '/' && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== '\n') {
        const r = source[j];
        if (r === '\\') j++;
        else if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
        j++;
      }
      blank(i + 1, j);
      tokens.push({ kind: 'regex', value: source.slice(i + 1, j), line });
      i = j + 1;
      while (i < n && /[a-z]/i.test(source[i] as string)) i++;
    } else if (/[A-Za-z_$]/.test(c)) {
      const match = /^[A-Za-z_$][\w$]*/.exec(source.slice(i, i + 200)) as RegExpExecArray;
      tokens.push({ kind: 'ident', value: match[0], line });
      i += match[0].length;
    } else if (/\d/.test(c)) {
      const match = /^\d[\w.]*/.exec(source.slice(i, i + 100)) as RegExpExecArray;
      tokens.push({ kind: 'number', value: match[0], line });
      i += match[0].length;
    } else {
      if (c === '{') braceDepth++;
      else if (c === '}') braceDepth--;
      tokens.push({ kind: 'punct', value: c, line });
      i++;
    }
  }
  return { tokens, code: masked.join('') };
}

export interface ImportSite {
  specifier: string;
  line: number;
  /** `import type`, `export type … from`, or `typeof import('…')`: erased at run time (still an edge for cycles). */
  typeOnly: boolean;
  form: 'import' | 'export' | 'dynamic' | 'require';
}

/** The imports of one file, in order. */
export function findImports(source: string): ImportSite[] {
  const { tokens } = scan(source);
  const sites: ImportSite[] = [];
  const at = (k: number) => tokens[k];
  const is = (k: number, kind: Token['kind'], value?: string) => {
    const token = tokens[k];
    return token !== undefined && token.kind === kind && (value === undefined || token.value === value);
  };
  const afterDot = (k: number) => is(k - 1, 'punct', '.');
  // From token k, the specifier of the first `from '…'` at brace depth 0 before `;` or `=`.
  const fromClause = (k: number): string | null => {
    let depth = 0;
    for (let j = k; j < tokens.length; j++) {
      const token = tokens[j] as Token;
      if (token.kind === 'punct') {
        if (token.value === '{') depth++;
        else if (token.value === '}') depth--;
        else if (depth === 0 && (token.value === ';' || token.value === '=' || token.value === '(')) return null;
      } else if (token.kind === 'ident' && depth === 0) {
        if (token.value === 'from' && is(j + 1, 'string')) return (at(j + 1) as Token).value;
        if (j > k && (token.value === 'import' || token.value === 'export')) return null;
      }
    }
    return null;
  };

  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k] as Token;
    if (token.kind !== 'ident' || afterDot(k)) continue;
    if (token.value === 'import') {
      if (is(k + 1, 'punct', '(') && is(k + 2, 'string')) {
        sites.push({ specifier: (at(k + 2) as Token).value, line: token.line, typeOnly: is(k - 1, 'ident', 'typeof'), form: 'dynamic' });
      } else if (is(k + 1, 'string')) {
        sites.push({ specifier: (at(k + 1) as Token).value, line: token.line, typeOnly: false, form: 'import' });
      } else if (is(k + 1, 'ident') || is(k + 1, 'punct', '{') || is(k + 1, 'punct', '*')) {
        const specifier = fromClause(k + 1);
        if (specifier !== null) {
          const typeOnly = is(k + 1, 'ident', 'type') && !is(k + 2, 'ident', 'from') && !is(k + 2, 'punct', ',');
          sites.push({ specifier, line: token.line, typeOnly, form: 'import' });
        }
      }
    } else if (token.value === 'export') {
      let j = k + 1;
      const typeOnly = is(j, 'ident', 'type');
      if (typeOnly) j++;
      if (is(j, 'punct', '*') || is(j, 'punct', '{')) {
        const specifier = fromClause(j);
        if (specifier !== null) sites.push({ specifier, line: token.line, typeOnly, form: 'export' });
      }
    } else if (token.value === 'require' && !is(k - 1, 'ident', 'function')) {
      if (is(k + 1, 'punct', '(') && is(k + 2, 'string') && is(k + 3, 'punct', ')')) {
        sites.push({ specifier: (at(k + 2) as Token).value, line: token.line, typeOnly: false, form: 'require' });
      }
    }
  }
  return sites;
}

export type Target =
  | { kind: 'file'; path: string }
  /** A relative specifier that names no file of the tree (e.g. into an excluded folder such as src/generated). */
  | { kind: 'missing'; path: string }
  | { kind: 'builtin'; name: string }
  | { kind: 'package'; name: string };

/** Where a specifier written in `from` points, given the files of the tree. */
export function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): Target {
  if (specifier.startsWith('.')) {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    const candidates = [base, base.replace(/\.(c|m)?js$/, '.$1ts'), `${base}.ts`, `${base}.tsx`, `${base}/index.ts`];
    const found = candidates.find((candidate) => files.has(candidate));
    return found ? { kind: 'file', path: found } : { kind: 'missing', path: base };
  }
  const bare = specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
  if (specifier.startsWith('node:') || builtinModules.includes(bare.split('/')[0] as string)) return { kind: 'builtin', name: bare };
  const parts = specifier.split('/');
  return { kind: 'package', name: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string) };
}

export interface ResolvedImport extends ImportSite {
  target: Target;
}

export interface SourceFile {
  path: string;
  imports: ResolvedImport[];
  /** The source with comments and literal contents blanked. */
  code: string;
}

export interface Analysis {
  files: Map<string, SourceFile>;
}

export function analyse(tree: SourceTree): Analysis {
  const names = new Set(tree.keys());
  const files = new Map<string, SourceFile>();
  for (const [file, source] of tree) {
    const imports = findImports(source).map((site) => ({ ...site, target: resolveSpecifier(file, site.specifier, names) }));
    files.set(file, { path: file, imports, code: scan(source).code });
  }
  return { files };
}

/** One offence: where, and what. */
export interface Violation {
  file: string;
  line: number;
  detail: string;
}

/** Every import of a file for which `offends` returns a description (or null when it is fine). */
export function importViolations(
  analysis: Analysis,
  offends: (file: string, target: Target, site: ResolvedImport) => string | null,
): Violation[] {
  const found: Violation[] = [];
  for (const file of analysis.files.values()) {
    for (const site of file.imports) {
      const detail = offends(file.path, site.target, site);
      if (detail !== null) found.push({ file: file.path, line: site.line, detail });
    }
  }
  return found;
}

/** Every line whose code (not comments or strings) matches one of `patterns`, in the files that `applies` to. */
export function patternViolations(analysis: Analysis, patterns: RegExp[], applies: (file: string) => boolean): Violation[] {
  const found = new Map<string, Violation>();
  for (const file of analysis.files.values()) {
    if (!applies(file.path)) continue;
    for (const pattern of patterns) {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      for (const match of file.code.matchAll(global)) {
        const line = file.code.slice(0, match.index).split('\n').length;
        const detail = match[0].replace(/\s+/g, ' ').trim();
        const key = `${file.path}:${line}`;
        // One offence a line: the first pattern that matches it says what it is.
        if (!found.has(key)) found.set(key, { file: file.path, line, detail });
      }
    }
  }
  return [...found.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** One step of a cycle: `file` imports the next file at `line`. */
export interface CycleStep {
  file: string;
  line: number;
}

/**
 * The import cycles among the tree's files (type imports included): for every file on a cycle, the
 * shortest cycle through it, each cycle once (rotated to start at its smallest file).
 */
export function findCycles(analysis: Analysis): CycleStep[][] {
  const edges = new Map<string, Map<string, number>>();
  for (const file of analysis.files.values()) {
    const targets = new Map<string, number>();
    for (const site of file.imports)
      if (site.target.kind === 'file' && !targets.has(site.target.path)) targets.set(site.target.path, site.line);
    edges.set(file.path, targets);
  }
  const cycles = new Map<string, CycleStep[]>();
  for (const component of stronglyConnected(edges)) {
    const members = new Set(component);
    for (const start of [...component].sort()) {
      const cycle = shortestCycle(start, edges, members);
      if (!cycle) continue;
      const smallest = cycle.reduce((best, step, index) => (step.file < (cycle[best] as CycleStep).file ? index : best), 0);
      const rotated = [...cycle.slice(smallest), ...cycle.slice(0, smallest)];
      cycles.set(rotated.map((step) => step.file).join(' '), rotated);
    }
  }
  return [...cycles.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, cycle]) => cycle);
}

/** `a.ts:3 → b.ts:7 → a.ts`. */
export function formatCycle(cycle: CycleStep[]): string {
  return [...cycle.map((step) => `${step.file}:${step.line}`), (cycle[0] as CycleStep).file].join(' → ');
}

function shortestCycle(start: string, edges: Map<string, Map<string, number>>, members: Set<string>): CycleStep[] | null {
  // Breadth-first from start, inside its component, until an edge leads back to start.
  const successors = (node: string) => [...(edges.get(node)?.keys() ?? [])].filter((target) => members.has(target));
  const lineOf = (from: string, to: string) => edges.get(from)?.get(to) ?? 0;
  const previous = new Map<string, string>([[start, start]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const target of successors(current)) {
      if (target === start) {
        const files = [current];
        while (files[0] !== start) files.unshift(previous.get(files[0] as string) as string);
        return files.map((file, index) => ({ file, line: lineOf(file, files[(index + 1) % files.length] as string) }));
      }
      if (previous.has(target)) continue;
      previous.set(target, current);
      queue.push(target);
    }
  }
  return null;
}

/** Tarjan's strongly connected components, keeping those that hold a cycle (more than one file, or a file importing itself). */
function stronglyConnected(edges: Map<string, Map<string, number>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const target of (edges.get(node) ?? new Map<string, number>()).keys()) {
      if (!index.has(target)) {
        if (!edges.has(target)) continue;
        visit(target);
        low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      for (;;) {
        const member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      if (component.length > 1 || edges.get(node)?.has(node)) components.push(component);
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return components;
}

/** A failure message that lists every offence and says what to do; empty when there is none. */
export function report(rule: string, violations: Array<Violation | string>, advice: string): string {
  if (violations.length === 0) return '';
  const lines = violations.map((v) => (typeof v === 'string' ? `  ${v}` : `  ${v.file}:${v.line}  ${v.detail}`));
  return [`${rule}: ${violations.length} offence(s)`, ...lines, `What to do: ${advice}`].join('\n');
}
