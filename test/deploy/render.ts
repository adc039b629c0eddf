/**
 * Renders a Kustomize directory with `kubectl kustomize` (as ArgoCD does) and checks each object
 * against the Kubernetes API schemas bundled in `kubernetes-models` (no cluster, no network).
 */
import { execFileSync } from 'node:child_process';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';

/** One rendered object, before its schema is checked. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** The kinds deploy/ may render, each with the model whose schema checks it. */
const MODELS: Record<string, { prototype: { validate(): void } }> = {
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

/** Runs `kubectl kustomize <dir>`; a missing kubectl is an error that says so (the test fails, it does not skip). */
export function kustomize(dir: string, options: { env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'kubectl is not installed (or not on PATH): the deploy/ tests render the overlays with `kubectl kustomize`. ' +
          'Install kubectl (it bundles Kustomize) and run the tests again.',
      );
    }
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(`kubectl kustomize ${dir} failed: ${typeof stderr === 'string' ? stderr.trim() : String(error)}`);
  }
}

/** The YAML stream's documents as objects; a document that is not a Kubernetes object is an error. */
export function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text).map((document, index) => {
    if (document.errors.length > 0) throw new Error(`document ${index}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (!isKubeObject(value)) throw new Error(`document ${index} is not a Kubernetes object (no apiVersion and kind)`);
    return value;
  });
}

function isKubeObject(value: unknown): value is KubeObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { apiVersion?: unknown }).apiVersion === 'string' &&
    typeof (value as { kind?: unknown }).kind === 'string'
  );
}

export function nameOf(object: KubeObject): string {
  return `${object.kind}/${object.metadata?.name ?? '(unnamed)'}`;
}

/**
 * Problems with the object's schema: what the model's validator reports, and every field the schema
 * does not know (the API server refuses those under kubectl's default strict field validation; the
 * validator itself lets them through). Unknown fields are found by watching which properties the
 * validator reads: it reads every property its schema names, and every entry of a map.
 */
export function schemaProblems(object: KubeObject): string[] {
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!model) return [`${nameOf(object)}: no schema known for ${object.apiVersion} ${object.kind} (add its model to MODELS)`];
  const present = new Set<string>();
  const read = new Set<string>();
  try {
    model.prototype.validate.call(watchReads(object, '', present, read));
  } catch (error) {
    return [`${nameOf(object)}: ${error instanceof Error ? error.message : String(error)}`];
  }
  return [...present].filter((field) => !read.has(field)).map((field) => `${nameOf(object)}: unknown field ${field}`);
}

function watchReads<T>(value: T, at: string, present: Set<string>, read: Set<string>): T {
  if (typeof value !== 'object' || value === null) return value;
  for (const key of Object.keys(value)) present.add(`${at}/${key}`);
  return new Proxy(value, {
    get(target, key, receiver) {
      const field: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || !Object.hasOwn(target, key)) return field;
      read.add(`${at}/${key}`);
      return watchReads(field, `${at}/${key}`, present, read);
    },
  });
}
