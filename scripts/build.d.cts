// Types of scripts/build.cjs, for the tests that call it (test/config/build-if-changed.test.ts).
export interface BuildOptions {
  /** The project's root (where src/, prisma/ and dist/ are). */
  root: string;
  /** Build only when the sources changed since the last build. */
  ifChanged?: boolean;
  log?: (line: string) => void;
  /** Runs the build in `root`; returns its exit status. Default: the Prisma generator, then tsc. */
  runBuild?: (root: string) => number;
}
export function build(options: BuildOptions): { built: boolean; status: number };
export function fingerprint(root: string): string;
export function reasonToBuild(root: string): string | undefined;
export const STAMP: string;
