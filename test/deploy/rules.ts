/**
 * What deploy/ must satisfy besides the Kubernetes schemas (issue 17, item 1), one function per rule.
 * Each takes the objects one overlay renders and returns its problems, one line each (none: the rule
 * holds). test/deploy/manifests.test.ts runs them over both overlays and over broken variants.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import { ConfigError, loadConfig } from '../../src/config';
import { readProductionCommand, readProductionNodeOptions } from '../support/production-command';
import { type KubeObject, nameOf } from './render';

export const ROOT = path.resolve(__dirname, '..', '..');

/** The Secret's keys, as the README documents them: the manifests reference these and nothing else. */
export const SECRET_KEYS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'GITHUB_TOKEN', 'GITHUB_WEBHOOK_SECRET', 'DATABASE_URL'] as const;

/** README, "Deploying": on SIGTERM the bot stops within 10 seconds (src/main.ts's STOP_DEADLINE_MS is 9 s). */
export const DRAIN_SECONDS = 10;
/** README, "Memory": give it 256 MB. */
export const MEMORY_BUDGET_BYTES = 256 * 1024 ** 2;
/** README, "Memory": the peak RSS measured on Node 24 (130 MB on Node 20); the request must cover it. */
export const PEAK_RSS_BYTES = 145 * 1000 ** 2;

/** User ids of the users the Dockerfile may name (the official node images create `node` as 1000:1000). */
const IMAGE_USER_IDS: Record<string, number> = { node: 1000 };

/** What the Dockerfile's final stage says about how the bot runs. */
export interface DockerfileFacts {
  env: Record<string, string>;
  expose: number[];
  user: string;
  cmd: string;
  healthcheckPath: string | undefined;
}

/** Reads the Dockerfile's final stage: ENV (one or several assignments, with `\` continuations), EXPOSE, USER, CMD, HEALTHCHECK. */
export function readDockerfile(text: string = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')): DockerfileFacts {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const finalStage = lines.slice(lines.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true));
  const facts: DockerfileFacts = { env: {}, expose: [], user: 'root', cmd: '', healthcheckPath: undefined };
  for (const line of finalStage) {
    const [instruction = '', ...rest] = line.trim().split(/\s+/);
    const argument = rest.join(' ');
    switch (instruction.toUpperCase()) {
      case 'ENV':
        for (const match of argument.matchAll(/(\w+)=("[^"]*"|\S+)/g)) facts.env[match[1] ?? ''] = (match[2] ?? '').replace(/^"|"$/g, '');
        break;
      case 'EXPOSE':
        facts.expose.push(...rest.map((port) => Number.parseInt(port, 10)));
        break;
      case 'USER':
        facts.user = argument.split(':')[0] ?? argument;
        break;
      case 'CMD':
        facts.cmd = argument;
        break;
      case 'HEALTHCHECK':
        facts.healthcheckPath = /'(\/\w+)'/.exec(argument)?.[1];
        break;
    }
  }
  return facts;
}

export function dockerfileUserId(facts: DockerfileFacts): number | undefined {
  return /^\d+$/.test(facts.user) ? Number(facts.user) : IMAGE_USER_IDS[facts.user];
}

/** A Kubernetes quantity ("256Mi", "100m", "1") as a number of bytes or cores. */
export function parseQuantity(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!match) return undefined;
  const factor = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 }[match[2] ?? ''];
  return Number(match[1]) * (factor ?? 1);
}

export function deploymentsOf(objects: KubeObject[]): IDeployment[] {
  return objects.filter((object): object is KubeObject & IDeployment => object.kind === 'Deployment');
}

/** The one Deployment, or a problem saying there is not exactly one. */
function theDeployment(objects: KubeObject[]): { deployment: IDeployment; problems: [] } | { deployment?: undefined; problems: string[] } {
  const deployments = deploymentsOf(objects);
  const [deployment] = deployments;
  if (deployments.length !== 1 || !deployment) return { problems: [`expected one Deployment, found ${deployments.length}`] };
  return { deployment, problems: [] };
}

/** The bot's container: the one that runs dist/main.js. */
export function botContainer(deployment: IDeployment): IContainer | undefined {
  return deployment.spec?.template.spec?.containers.find((container) => container.command?.includes('dist/main.js'));
}

function allContainers(deployment: IDeployment): IContainer[] {
  const spec = deployment.spec?.template.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

function envValue(container: IContainer, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}

/** Runs `check` on the Deployment's bot container, or reports why there is none. */
function withBot(objects: KubeObject[], check: (deployment: IDeployment, bot: IContainer) => string[]): string[] {
  const { deployment, problems } = theDeployment(objects);
  if (!deployment) return problems;
  const bot = botContainer(deployment);
  if (!bot) return [`Deployment/${deployment.metadata?.name}: no container runs dist/main.js`];
  return check(deployment, bot);
}

export function replicaProblems(objects: KubeObject[], minimum: number): string[] {
  return deploymentsOf(objects).flatMap((deployment) =>
    (deployment.spec?.replicas ?? 1) >= minimum
      ? []
      : [`Deployment/${deployment.metadata?.name}: ${deployment.spec?.replicas ?? 1} replica(s), expected at least ${minimum}`],
  );
}

export function rolloutProblems(objects: KubeObject[]): string[] {
  return deploymentsOf(objects).flatMap((deployment) => {
    const strategy = deployment.spec?.strategy;
    const name = `Deployment/${deployment.metadata?.name}`;
    if (strategy?.type !== 'RollingUpdate')
      return [`${name}: strategy ${strategy?.type ?? '(default)'}, expected RollingUpdate spelled out`];
    const unavailable = strategy.rollingUpdate?.maxUnavailable;
    const surge = strategy.rollingUpdate?.maxSurge;
    const problems: string[] = [];
    if (unavailable !== 0 && unavailable !== '0%') problems.push(`${name}: maxUnavailable ${unavailable ?? '(default 25%)'}, expected 0`);
    if (surge === undefined || surge === 0 || surge === '0%') problems.push(`${name}: maxSurge ${surge ?? '(unset)'}, expected at least 1`);
    return problems;
  });
}

function probePort(probe: IProbe, container: IContainer): number | undefined {
  const port = probe.httpGet?.port;
  return typeof port === 'number' ? port : container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

export function probeProblems(objects: KubeObject[], options: { port: number; connectTimeoutSeconds: number }): string[] {
  return withBot(objects, (_, bot) => {
    const problems: string[] = [];
    const expect = (kind: 'readinessProbe' | 'livenessProbe' | 'startupProbe', pathname: string) => {
      const probe = bot[kind];
      if (!probe?.httpGet) return problems.push(`${bot.name}: no ${kind} with httpGet`);
      if (probe.httpGet.path !== pathname) problems.push(`${bot.name}: ${kind} on ${probe.httpGet.path}, expected ${pathname}`);
      const port = probePort(probe, bot);
      if (port !== options.port) problems.push(`${bot.name}: ${kind} on port ${port ?? probe.httpGet.port}, expected ${options.port}`);
      return problems.length;
    };
    expect('readinessProbe', '/readyz');
    expect('livenessProbe', '/healthz');
    expect('startupProbe', '/healthz');
    const startup = bot.startupProbe;
    if (startup) {
      const budget = (startup.initialDelaySeconds ?? 0) + (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3);
      if (budget <= options.connectTimeoutSeconds) {
        problems.push(
          `${bot.name}: the startupProbe gives up after ${budget} s, before the bot stops waiting for the database (${options.connectTimeoutSeconds} s)`,
        );
      }
    }
    return problems;
  });
}

export function resourceProblems(objects: KubeObject[]): string[] {
  const { deployment, problems } = theDeployment(objects);
  if (!deployment) return problems;
  return allContainers(deployment).flatMap((container) => {
    const found: string[] = [];
    for (const resource of ['cpu', 'memory']) {
      const request = parseQuantity(container.resources?.requests?.[resource]);
      const limit = parseQuantity(container.resources?.limits?.[resource]);
      if (request === undefined) found.push(`${container.name}: no ${resource} request`);
      if (limit === undefined) found.push(`${container.name}: no ${resource} limit`);
      if (request !== undefined && limit !== undefined && limit < request)
        found.push(`${container.name}: ${resource} limit below its request`);
    }
    const memoryLimit = parseQuantity(container.resources?.limits?.memory);
    const memoryRequest = parseQuantity(container.resources?.requests?.memory);
    if (memoryLimit !== undefined && memoryLimit < MEMORY_BUDGET_BYTES)
      found.push(`${container.name}: memory limit under the 256 MB budget`);
    if (memoryRequest !== undefined && memoryRequest < PEAK_RSS_BYTES)
      found.push(`${container.name}: memory request under the 145 MB peak`);
    return found;
  });
}

export function securityProblems(objects: KubeObject[], options: { userId: number | undefined }): string[] {
  const { deployment, problems } = theDeployment(objects);
  if (!deployment) return problems;
  const pod = deployment.spec?.template.spec?.securityContext;
  return allContainers(deployment).flatMap((container) => {
    const context = container.securityContext;
    const found: string[] = [];
    if ((context?.runAsNonRoot ?? pod?.runAsNonRoot) !== true) found.push(`${container.name}: runAsNonRoot is not true`);
    const user = context?.runAsUser ?? pod?.runAsUser;
    if (options.userId === undefined) found.push(`${container.name}: the Dockerfile's user has no known uid`);
    else if (user !== options.userId)
      found.push(`${container.name}: runAsUser ${user ?? '(unset)'}, the image's user is ${options.userId}`);
    if (context?.readOnlyRootFilesystem !== true) found.push(`${container.name}: readOnlyRootFilesystem is not true`);
    if (context?.allowPrivilegeEscalation !== false) found.push(`${container.name}: allowPrivilegeEscalation is not false`);
    return found;
  });
}

/** With a read-only root, DATA_DIR and /tmp must be writable volumes, in every container. */
export function writableVolumeProblems(objects: KubeObject[], options: { dataDir: string }): string[] {
  const { deployment, problems } = theDeployment(objects);
  if (!deployment) return problems;
  const volumes = deployment.spec?.template.spec?.volumes ?? [];
  return allContainers(deployment).flatMap((container) => {
    const found: string[] = [];
    const dataDir = envValue(container, 'DATA_DIR');
    if (dataDir !== options.dataDir)
      found.push(`${container.name}: DATA_DIR is ${dataDir ?? '(unset)'}, the image's is ${options.dataDir}`);
    for (const directory of [options.dataDir, '/tmp']) {
      const mount = container.volumeMounts?.find((candidate) => candidate.mountPath === directory);
      const volume = volumes.find((candidate) => candidate.name === mount?.name);
      if (!mount || !volume) found.push(`${container.name}: no volume mounted at ${directory}`);
      else if (mount.readOnly || !(volume.emptyDir || volume.persistentVolumeClaim)) {
        found.push(`${container.name}: ${directory} is not a writable emptyDir or persistent volume`);
      }
    }
    return found;
  });
}

export function gracePeriodProblems(objects: KubeObject[]): string[] {
  return withBot(objects, (deployment, bot) => {
    const grace = deployment.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
    const preStop = bot.lifecycle?.preStop?.sleep?.seconds ?? 0;
    return grace > preStop + DRAIN_SECONDS
      ? []
      : [`terminationGracePeriodSeconds ${grace} is not above the preStop sleep (${preStop} s) plus the drain (${DRAIN_SECONDS} s)`];
  });
}

export function secretProblems(objects: KubeObject[]): string[] {
  const known: readonly string[] = SECRET_KEYS;
  const problems = objects
    .filter((object) => object.kind === 'Secret' && (object.data !== undefined || object.stringData !== undefined))
    .map((object) => `${nameOf(object)}: a Secret with values is rendered; the manifests only reference the Secret`);
  for (const deployment of deploymentsOf(objects)) {
    for (const container of allContainers(deployment)) {
      for (const source of container.envFrom ?? []) {
        if (source.secretRef) problems.push(`${container.name}: envFrom a Secret; reference each key with secretKeyRef`);
      }
      for (const variable of container.env ?? []) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref && !known.includes(ref.key))
          problems.push(`${container.name}: references Secret key ${ref.key}, not among ${SECRET_KEYS.join(', ')}`);
        if (variable.value !== undefined && known.includes(variable.name))
          problems.push(`${container.name}: ${variable.name} has a literal value`);
      }
      const database = container.env?.find((variable) => variable.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
      if (!database || database.optional) {
        problems.push(`${container.name}: DATABASE_URL must come from the Secret, not optional (no embedded database in a cluster)`);
      }
    }
  }
  return problems;
}

/** The bot's environment as the pod would see it, with a well-formed stand-in for each Secret value. */
function podEnvironment(container: IContainer): Record<string, string> {
  const standIns: Record<string, string> = {
    SLACK_BOT_TOKEN: 'xoxb-stand-in',
    SLACK_SIGNING_SECRET: 'stand-in-signing-secret',
    GITHUB_TOKEN: 'stand-in-token',
    GITHUB_WEBHOOK_SECRET: 'stand-in-webhook-secret',
    DATABASE_URL: 'postgresql://stand-in/db',
  };
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const key = variable.valueFrom?.secretKeyRef?.key;
    const value = variable.value ?? (key ? standIns[key] : undefined);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

/** The settings file the bot reads: CONDUCTOR_CONFIG's path, inside a mounted ConfigMap. */
export function settingsFile(objects: KubeObject[]): { text: string; path: string } | { problem: string } {
  const { deployment, problems } = theDeployment(objects);
  if (!deployment) return { problem: problems.join('; ') };
  const bot = botContainer(deployment);
  const file = bot && envValue(bot, 'CONDUCTOR_CONFIG');
  if (!bot || !file) return { problem: 'the bot has no CONDUCTOR_CONFIG' };
  const mount = bot.volumeMounts?.find((candidate) => file.startsWith(`${candidate.mountPath}/`));
  const volume = deployment.spec?.template.spec?.volumes?.find((candidate) => candidate.name === mount?.name);
  const configMap = objects.find(
    (object): object is KubeObject & IConfigMap => object.kind === 'ConfigMap' && object.metadata?.name === volume?.configMap?.name,
  );
  if (!mount || !configMap) return { problem: `CONDUCTOR_CONFIG (${file}) is not in a mounted, rendered ConfigMap` };
  const key = file.slice(mount.mountPath.length + 1);
  const text = configMap.data?.[key];
  if (text === undefined) return { problem: `ConfigMap/${configMap.metadata?.name} has no key ${key} (CONDUCTOR_CONFIG is ${file})` };
  return { text, path: file };
}

/** The bot's configuration, as src/config.ts would load it in the pod (its environment and the mounted settings file). */
export function configProblems(objects: KubeObject[]): string[] {
  return withBot(objects, (_, bot) => {
    const file = settingsFile(objects);
    if ('problem' in file) return [file.problem];
    try {
      loadConfig({
        env: podEnvironment(bot),
        readFile: (requested) => {
          if (requested !== file.path) throw Object.assign(new Error(`no such file ${requested}`), { code: 'ENOENT' });
          return file.text;
        },
      });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  });
}

export function migrationProblems(objects: KubeObject[]): string[] {
  return withBot(objects, (deployment, bot) => {
    const migrate = ['node', 'dist/cli.js', 'migrate'].join(' ');
    const runsMigrate = (container: IContainer) => (container.command ?? []).concat(container.args ?? []).join(' ') === migrate;
    const init = deployment.spec?.template.spec?.initContainers?.find(runsMigrate);
    const jobs = objects.filter((object) => object.kind === 'Job' && JSON.stringify(object).includes('dist/cli.js'));
    if (!init && jobs.length === 0) return [`no init container or Job runs \`${migrate}\``];
    if (init && init.image !== bot.image) return [`the migrations run ${init.image}, the bot ${bot.image}: they must be one image`];
    return [];
  });
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

export function serviceProblems(objects: KubeObject[]): string[] {
  return withBot(objects, (deployment, bot) => {
    const labels = deployment.spec?.template.metadata?.labels;
    const services = objects.filter((object): object is KubeObject & IService => object.kind === 'Service');
    if (services.length === 0) return ['no Service'];
    return services.flatMap((service) => {
      const found: string[] = [];
      if (!selects(service.spec?.selector, labels))
        found.push(`Service/${service.metadata?.name}: its selector does not select the bot's pods`);
      for (const port of service.spec?.ports ?? []) {
        const target = port.targetPort ?? port.port;
        const resolved = typeof target === 'number' ? target : bot.ports?.find((candidate) => candidate.name === target)?.containerPort;
        if (!bot.ports?.some((candidate) => candidate.containerPort === resolved)) {
          found.push(`Service/${service.metadata?.name}: targetPort ${target} is no port of the bot`);
        }
      }
      return found;
    });
  });
}

export function disruptionBudgetProblems(objects: KubeObject[]): string[] {
  const { deployment, problems } = theDeployment(objects);
  if (!deployment) return problems;
  const budgets = objects.filter((object): object is KubeObject & IPodDisruptionBudget => object.kind === 'PodDisruptionBudget');
  const labels = deployment.spec?.template.metadata?.labels;
  const budget = budgets.find((candidate) => selects(candidate.spec?.selector?.matchLabels, labels));
  if (!budget) return ["no PodDisruptionBudget selects the bot's pods"];
  const replicas = deployment.spec?.replicas ?? 1;
  const { maxUnavailable, minAvailable } = budget.spec ?? {};
  if (typeof maxUnavailable === 'number' && replicas >= 2 && maxUnavailable >= replicas) {
    return [`PodDisruptionBudget/${budget.metadata?.name}: maxUnavailable ${maxUnavailable} lets all ${replicas} replicas go at once`];
  }
  if (maxUnavailable === undefined && minAvailable === undefined)
    return [`PodDisruptionBudget/${budget.metadata?.name}: neither maxUnavailable nor minAvailable`];
  return [];
}

/** The manifests run the image as the Dockerfile builds it: command, port, user (checked by securityProblems), health check. */
export function dockerfileProblems(objects: KubeObject[], dockerfile: DockerfileFacts = readDockerfile()): string[] {
  return withBot(objects, (_, bot) => {
    const problems: string[] = [];
    const command = ['node', ...readProductionNodeOptions(ROOT), 'dist/main.js'];
    if (JSON.stringify(bot.command) !== JSON.stringify(command))
      problems.push(`${bot.name}: command is not \`${command.join(' ')}\` (npm run start:prod)`);
    if (!dockerfile.cmd.includes(`node dist/cli.js migrate && exec ${command.join(' ')}`)) {
      problems.push("the Dockerfile's CMD is no longer `node dist/cli.js migrate && exec <start:prod>`: update the manifests with it");
    }
    // start:prod's environment comes with the image (its ENV): the container must not set it otherwise.
    for (const [name, value] of Object.entries(readProductionCommand(ROOT).env)) {
      if (dockerfile.env[name] !== value) problems.push(`the Dockerfile's ENV does not set ${name}=${value} (npm run start:prod)`);
      const set = envValue(bot, name);
      if (set !== undefined && set !== value) problems.push(`${bot.name}: ${name} is ${set}, npm run start:prod's is ${value}`);
    }
    const port = Number(dockerfile.env.PORT);
    if (!dockerfile.expose.includes(port)) problems.push(`the Dockerfile's PORT ${port} is not EXPOSEd`);
    if (!bot.ports?.some((candidate) => candidate.containerPort === port))
      problems.push(`${bot.name}: no containerPort ${port} (the image's PORT)`);
    if (envValue(bot, 'PORT') !== dockerfile.env.PORT)
      problems.push(`${bot.name}: PORT is ${envValue(bot, 'PORT')}, the image's is ${port}`);
    if (bot.livenessProbe?.httpGet?.path !== dockerfile.healthcheckPath) {
      problems.push(
        `${bot.name}: livenessProbe on ${bot.livenessProbe?.httpGet?.path}, the image's HEALTHCHECK on ${dockerfile.healthcheckPath}`,
      );
    }
    return problems;
  });
}

export function imageProblems(objects: KubeObject[]): string[] {
  const { deployment, problems } = theDeployment(objects);
  if (!deployment) return problems;
  return allContainers(deployment).flatMap((container) => {
    const image = container.image ?? '';
    const tag = /@sha256:[0-9a-f]{64}$/.test(image) ? 'digest' : /:([\w.-]+)$/.exec(image.split('/').pop() ?? '')?.[1];
    return tag && tag !== 'latest' ? [] : [`${container.name}: image ${image || '(none)'} is not pinned to a tag or digest`];
  });
}

export function namespaceProblems(objects: KubeObject[], namespace: string): string[] {
  return objects
    .filter((object) => object.metadata?.namespace !== namespace)
    .map((object) => `${nameOf(object)}: namespace ${object.metadata?.namespace ?? '(none)'}, expected ${namespace}`);
}

/** The base's prometheus.io/* pod annotations point at GET /metrics on the bot's port (issue 17, item 2). */
export function metricsScrapeProblems(objects: KubeObject[], options: { port: number }): string[] {
  return withBot(objects, (deployment, bot) => {
    const annotations = deployment.spec?.template.metadata?.annotations ?? {};
    const problems: string[] = [];
    if (annotations['prometheus.io/scrape'] !== 'true') problems.push('the pod template is not annotated prometheus.io/scrape: "true"');
    if (annotations['prometheus.io/path'] !== '/metrics')
      problems.push(`prometheus.io/path is ${annotations['prometheus.io/path'] ?? '(none)'}, the bot serves /metrics`);
    const port = Number(annotations['prometheus.io/port']);
    if (port !== options.port || !bot.ports?.some((candidate) => candidate.containerPort === port))
      problems.push(`prometheus.io/port is ${annotations['prometheus.io/port'] ?? '(none)'}, the bot listens on ${options.port}`);
    return problems;
  });
}

const SERVICE_MONITOR_ENDPOINT_FIELDS = new Set(['port', 'path', 'interval', 'scrapeTimeout', 'scheme']);
const DURATION = /^(\d+)(ms|s|m|h)$/;

function durationMs(text: unknown): number | undefined {
  const match = typeof text === 'string' ? DURATION.exec(text) : null;
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every ServiceMonitor (deploy/components/service-monitor), checked by hand: kubernetes-models has no type
 * for the Prometheus Operator's CRDs. It selects the bot's Service, scrapes a named port of it on
 * /metrics, with valid durations (the timeout within the interval) and no field the operator would not read.
 */
export function serviceMonitorProblems(objects: KubeObject[]): string[] {
  const services = objects.filter((object): object is KubeObject & IService => object.kind === 'Service');
  return objects
    .filter((object) => object.kind === 'ServiceMonitor')
    .flatMap((monitor) => {
      const name = nameOf(monitor);
      if (monitor.apiVersion !== 'monitoring.coreos.com/v1')
        return [`${name}: apiVersion ${monitor.apiVersion}, expected monitoring.coreos.com/v1`];
      const spec = monitor.spec;
      if (!isRecord(spec)) return [`${name}: no spec`];
      const problems: string[] = [];
      for (const key of Object.keys(spec))
        if (key !== 'selector' && key !== 'endpoints') problems.push(`${name}: unknown field spec.${key}`);
      const matchLabels = isRecord(spec.selector) && isRecord(spec.selector.matchLabels) ? spec.selector.matchLabels : undefined;
      const service = matchLabels
        ? services.find((candidate) => Object.entries(matchLabels).every(([key, value]) => candidate.metadata?.labels?.[key] === value))
        : undefined;
      if (!service) problems.push(`${name}: spec.selector.matchLabels selects no Service`);
      const endpoints = Array.isArray(spec.endpoints) ? spec.endpoints : [];
      if (endpoints.length === 0) problems.push(`${name}: no spec.endpoints`);
      endpoints.forEach((endpoint: unknown, index) => {
        const at = `${name}: spec.endpoints[${index}]`;
        if (!isRecord(endpoint)) {
          problems.push(`${at} is not an object`);
          return;
        }
        for (const key of Object.keys(endpoint))
          if (!SERVICE_MONITOR_ENDPOINT_FIELDS.has(key)) problems.push(`${at}: unknown field ${key}`);
        if (service && !service.spec?.ports?.some((port) => port.name === endpoint.port))
          problems.push(`${at}: port ${String(endpoint.port)} is no named port of Service/${service.metadata?.name}`);
        if (endpoint.path !== '/metrics') problems.push(`${at}: path ${String(endpoint.path)}, the bot serves /metrics`);
        const interval = durationMs(endpoint.interval);
        const timeout = durationMs(endpoint.scrapeTimeout ?? '10s');
        if (interval === undefined) problems.push(`${at}: interval ${String(endpoint.interval)} is not a duration such as 30s`);
        if (timeout === undefined) problems.push(`${at}: scrapeTimeout ${String(endpoint.scrapeTimeout)} is not a duration such as 10s`);
        if (interval !== undefined && timeout !== undefined && timeout > interval)
          problems.push(`${at}: scrapeTimeout ${String(endpoint.scrapeTimeout)} exceeds interval ${String(endpoint.interval)}`);
      });
      return problems;
    });
}
