/**
 * deploy/ (issue 17, item 1): both overlays render with `kubectl kustomize` (what ArgoCD runs), every
 * object passes the Kubernetes schemas, and the rules in ./rules.ts hold. Each rule is also shown
 * failing, on a broken copy of the production render or on a broken overlay rendered for real.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { parse as parseYaml } from 'yaml';
import { envSchema, parseSettings } from '../../src/config';
import { type KubeObject, kustomize, parseObjects, schemaProblems } from './render';
import {
  botContainer,
  configProblems,
  deploymentsOf,
  disruptionBudgetProblems,
  dockerfileProblems,
  dockerfileUserId,
  gracePeriodProblems,
  imageProblems,
  metricsScrapeProblems,
  migrationProblems,
  namespaceProblems,
  probeProblems,
  ROOT,
  readDockerfile,
  replicaProblems,
  resourceProblems,
  rolloutProblems,
  SECRET_KEYS,
  secretProblems,
  securityProblems,
  serviceMonitorProblems,
  serviceProblems,
  settingsFile,
  writableVolumeProblems,
} from './rules';

const DEPLOY = path.join(ROOT, 'deploy');
const dockerfile = readDockerfile();
const port = Number(dockerfile.env.PORT);
const dataDir = dockerfile.env.DATA_DIR ?? '';
const connectTimeoutSeconds = envSchema.shape.DATABASE_CONNECT_TIMEOUT_SECONDS.parse(undefined);

const OVERLAYS = {
  stage: { namespace: 'release-conductor-stage', minReplicas: 1 },
  production: { namespace: 'release-conductor-production', minReplicas: 2 },
} as const;
type Overlay = keyof typeof OVERLAYS;

/** Every rule, with the options each overlay gives it. */
function rules(overlay: Overlay): Record<string, (objects: KubeObject[]) => string[]> {
  return {
    schemas: (objects) => objects.flatMap(schemaProblems),
    replicas: (objects) => replicaProblems(objects, OVERLAYS[overlay].minReplicas),
    rollout: rolloutProblems,
    probes: (objects) => probeProblems(objects, { port, connectTimeoutSeconds }),
    resources: resourceProblems,
    security: (objects) => securityProblems(objects, { userId: dockerfileUserId(dockerfile) }),
    writableVolumes: (objects) => writableVolumeProblems(objects, { dataDir }),
    gracePeriod: gracePeriodProblems,
    secrets: secretProblems,
    config: configProblems,
    migrations: migrationProblems,
    service: serviceProblems,
    disruptionBudget: disruptionBudgetProblems,
    dockerfile: (objects) => dockerfileProblems(objects, dockerfile),
    images: imageProblems,
    namespace: (objects) => namespaceProblems(objects, OVERLAYS[overlay].namespace),
    metricsScrape: (objects) => metricsScrapeProblems(objects, { port }),
  };
}

const rendered = new Map<Overlay, KubeObject[]>();
function render(overlay: Overlay): KubeObject[] {
  let objects = rendered.get(overlay);
  if (!objects) {
    objects = parseObjects(kustomize(path.join(DEPLOY, 'overlays', overlay)));
    rendered.set(overlay, objects);
  }
  return structuredClone(objects);
}

describe.each(Object.keys(OVERLAYS) as Overlay[])('kubectl kustomize deploy/overlays/%s', (overlay) => {
  test('renders a Deployment, a Service, a PodDisruptionBudget and the settings ConfigMap, and no Secret', () => {
    const kinds = render(overlay)
      .map((object) => object.kind)
      .sort();
    expect(kinds).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service']);
  });

  test.each(Object.keys(rules(overlay)))('rule %s holds', (rule) => {
    expect(rules(overlay)[rule]?.(render(overlay))).toEqual([]);
  });
});

test('the overlays differ where they should: namespace, replicas, the announcement channel', () => {
  const settings = (overlay: Overlay) => {
    const file = settingsFile(render(overlay));
    if ('problem' in file) throw new Error(file.problem);
    return parseSettings({ text: file.text, source: file.path });
  };
  expect(settings('stage').announcementChannel).not.toBe(settings('production').announcementChannel);
  expect(deploymentsOf(render('production'))[0]?.spec?.replicas).toBe(2);
  expect(deploymentsOf(render('stage'))[0]?.metadata?.namespace).not.toBe(deploymentsOf(render('production'))[0]?.metadata?.namespace);
});

/** The production render with one change. */
function broken(change: (deployment: IDeployment, bot: IContainer, objects: KubeObject[]) => void): KubeObject[] {
  const objects = render('production');
  const deployment = deploymentsOf(objects)[0];
  const bot = deployment && botContainer(deployment);
  if (!deployment || !bot) throw new Error('the production render has no bot container');
  change(deployment, bot, objects);
  return objects;
}

function podSpec(deployment: IDeployment) {
  const spec = deployment.spec?.template.spec;
  if (!spec) throw new Error('no pod spec');
  return spec;
}

describe('each rule can fail', () => {
  const check = rules('production');
  const cases: Array<[string, string, (deployment: IDeployment, bot: IContainer, objects: KubeObject[]) => void, RegExp]> = [
    ['schemas', 'a misspelled field', (_, bot) => Object.assign(bot, { readinesProbe: {} }), /unknown field .*readinesProbe/],
    ['schemas', 'a wrong type', (deployment) => Object.assign(deployment.spec ?? {}, { replicas: 'two' }), /replicas must be integer/],
    ['schemas', 'a kind without a schema', (_, __, objects) => objects.push({ apiVersion: 'x/v1', kind: 'Thing' }), /no schema known/],
    ['replicas', 'one replica in production', (deployment) => Object.assign(deployment.spec ?? {}, { replicas: 1 }), /expected at least 2/],
    [
      'rollout',
      'maxUnavailable 1',
      (deployment) => Object.assign(deployment.spec?.strategy?.rollingUpdate ?? {}, { maxUnavailable: 1 }),
      /maxUnavailable 1, expected 0/,
    ],
    [
      'probes',
      'readiness on /healthz',
      (_, bot) => Object.assign(bot.readinessProbe?.httpGet ?? {}, { path: '/healthz' }),
      /readinessProbe on \/healthz/,
    ],
    [
      'probes',
      'liveness on another port',
      (_, bot) => Object.assign(bot.livenessProbe?.httpGet ?? {}, { port: 8080 }),
      /livenessProbe on port 8080/,
    ],
    ['probes', 'no startup probe', (_, bot) => delete bot.startupProbe, /no startupProbe/],
    [
      'probes',
      'a startup probe too short',
      (_, bot) => Object.assign(bot.startupProbe ?? {}, { failureThreshold: 5 }),
      /gives up after 10 s/,
    ],
    ['resources', 'no memory limit', (_, bot) => delete bot.resources?.limits?.memory, /no memory limit/],
    [
      'resources',
      'a limit below the request',
      (_, bot) => Object.assign(bot.resources?.limits ?? {}, { cpu: '50m' }),
      /cpu limit below its request/,
    ],
    [
      'resources',
      'less memory than the budget',
      (_, bot) => Object.assign(bot.resources?.limits ?? {}, { memory: '128Mi' }),
      /under the 256 MB/,
    ],
    ['security', 'root allowed', (deployment) => delete podSpec(deployment).securityContext?.runAsNonRoot, /runAsNonRoot is not true/],
    [
      'security',
      'another uid',
      (deployment) => Object.assign(podSpec(deployment).securityContext ?? {}, { runAsUser: 1001 }),
      /runAsUser 1001/,
    ],
    [
      'security',
      'a writable root',
      (_, bot) => Object.assign(bot.securityContext ?? {}, { readOnlyRootFilesystem: false }),
      /readOnlyRootFilesystem is not true/,
    ],
    [
      'writableVolumes',
      'no volume at DATA_DIR',
      (_, bot) => {
        bot.volumeMounts = bot.volumeMounts?.filter((mount) => mount.mountPath !== dataDir);
      },
      /no volume mounted at \/data/,
    ],
    [
      'writableVolumes',
      'DATA_DIR mounted read-only',
      (_, bot) => Object.assign(bot.volumeMounts?.find((mount) => mount.mountPath === dataDir) ?? {}, { readOnly: true }),
      /\/data is not a writable/,
    ],
    [
      'gracePeriod',
      'a grace period shorter than the drain',
      (deployment) => Object.assign(podSpec(deployment), { terminationGracePeriodSeconds: 12 }),
      /terminationGracePeriodSeconds 12 is not above/,
    ],
    [
      'secrets',
      'an undocumented Secret key',
      (_, bot) => bot.env?.push({ name: 'X', valueFrom: { secretKeyRef: { name: 'release-conductor', key: 'SLACK_APP_TOKEN' } } }),
      /Secret key SLACK_APP_TOKEN/,
    ],
    [
      'secrets',
      'a Secret with values',
      (_, __, objects) => objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { GITHUB_TOKEN: 'x' } }),
      /a Secret with values is rendered/,
    ],
    ['secrets', 'a literal token', (_, bot) => bot.env?.push({ name: 'GITHUB_TOKEN', value: 'ghp_x' }), /GITHUB_TOKEN has a literal value/],
    [
      'secrets',
      'the whole Secret as envFrom',
      (_, bot) => Object.assign(bot, { envFrom: [{ secretRef: { name: 's' } }] }),
      /envFrom a Secret/,
    ],
    [
      'secrets',
      'an optional DATABASE_URL (the embedded database)',
      (_, bot) =>
        Object.assign(bot.env?.find((variable) => variable.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef ?? {}, { optional: true }),
      /DATABASE_URL must come from the Secret/,
    ],
    [
      'config',
      'a setting the schema refuses',
      (_, __, objects) => {
        const configMap = objects.find((object) => object.kind === 'ConfigMap');
        Object.assign(configMap ?? {}, { data: { 'settings.yaml': 'cutoffTime: "25:00"\n' } });
      },
      /cutoffTime: expected a 24-hour time/,
    ],
    [
      'config',
      'CONDUCTOR_CONFIG outside the ConfigMap',
      (_, bot) => Object.assign(bot.env?.find((variable) => variable.name === 'CONDUCTOR_CONFIG') ?? {}, { value: '/etc/settings.yaml' }),
      /is not in a mounted, rendered ConfigMap/,
    ],
    ['config', 'a bad literal variable', (_, bot) => bot.env?.push({ name: 'LOG_LEVEL', value: 'loud' }), /LOG_LEVEL/],
    ['migrations', 'no migrations', (deployment) => delete podSpec(deployment).initContainers, /no init container or Job runs/],
    [
      'migrations',
      'migrations from another image',
      (deployment) => Object.assign(podSpec(deployment).initContainers?.[0] ?? {}, { image: 'other:1' }),
      /must be one image/,
    ],
    [
      'service',
      'a Service selecting nothing',
      (_, __, objects) => Object.assign(objects.find((object) => object.kind === 'Service')?.spec ?? {}, { selector: { app: 'other' } }),
      /does not select the bot's pods/,
    ],
    [
      'service',
      'a Service to a port nobody listens on',
      (_, __, objects) => {
        const service = objects.find((object) => object.kind === 'Service');
        Object.assign(service?.spec ?? {}, { ports: [{ port: 80, targetPort: 'web' }] });
      },
      /targetPort web is no port of the bot/,
    ],
    [
      'disruptionBudget',
      'no PodDisruptionBudget',
      (_, __, objects) =>
        objects.splice(
          objects.findIndex((object) => object.kind === 'PodDisruptionBudget'),
          1,
        ),
      /no PodDisruptionBudget selects/,
    ],
    [
      'disruptionBudget',
      'a budget that lets every replica go',
      (_, __, objects) => Object.assign(objects.find((object) => object.kind === 'PodDisruptionBudget')?.spec ?? {}, { maxUnavailable: 2 }),
      /lets all 2 replicas go at once/,
    ],
    ['dockerfile', 'another command', (_, bot) => Object.assign(bot, { command: ['node', 'dist/main.js'] }), /npm run start:prod/],
    [
      'dockerfile',
      'another port',
      (_, bot) => Object.assign(bot, { ports: [{ name: 'http', containerPort: 8080 }] }),
      /no containerPort 3000/,
    ],
    ['images', 'latest', (_, bot) => Object.assign(bot, { image: 'registry.example.com/fxa/release-conductor:latest' }), /not pinned/],
    ['images', 'no tag', (_, bot) => Object.assign(bot, { image: 'registry.example.com/fxa/release-conductor' }), /not pinned/],
    ['namespace', 'an object without the namespace', (deployment) => delete deployment.metadata?.namespace, /namespace \(none\)/],
    [
      'metricsScrape',
      'another scrape port',
      (deployment) => Object.assign(deployment.spec?.template.metadata?.annotations ?? {}, { 'prometheus.io/port': '9090' }),
      /prometheus.io\/port is 9090, the bot listens on 3000/,
    ],
    [
      'metricsScrape',
      'no scrape annotation',
      (deployment) => delete deployment.spec?.template.metadata?.annotations?.['prometheus.io/scrape'],
      /not annotated prometheus.io\/scrape/,
    ],
  ];
  test.each(cases)('%s: %s', (rule, _, change, problem) => {
    const problems = check[rule]?.(broken(change)) ?? ['no such rule'];
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  test('every rule has a case that breaks it', () => {
    expect(new Set(cases.map(([rule]) => rule))).toEqual(new Set(Object.keys(check)));
  });

  test('the Dockerfile is read as it is: port, DATA_DIR, user, health check, CMD', () => {
    expect(dockerfile).toMatchObject({
      env: { PORT: '3000', DATA_DIR: '/data' },
      expose: [3000],
      user: 'node',
      healthcheckPath: '/healthz',
    });
    expect(dockerfileUserId(dockerfile)).toBe(1000);
    expect(dockerfileUserId(readDockerfile('FROM node:24-slim\nUSER app\n'))).toBeUndefined();
    expect(dockerfileProblems(render('production'), { ...dockerfile, cmd: 'node dist/main.js' })).toEqual([
      expect.stringMatching(/Dockerfile's CMD is no longer/),
    ]);
  });
});

describe('broken overlays rendered for real', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rc-overlay-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function overlay(kustomization: string, files: Record<string, string> = {}): KubeObject[] {
    const production = path.relative(dir, path.join(DEPLOY, 'overlays', 'production'));
    writeFileSync(path.join(dir, 'kustomization.yaml'), `resources:\n  - ${production}\n${kustomization}`);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return parseObjects(kustomize(dir));
  }

  test('a patch with a misspelled probe and a string for replicas fails the schemas', () => {
    const objects = overlay(`patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: release-conductor
      spec:
        replicas: "2"
        template:
          spec:
            containers:
              - name: release-conductor
                livenesProbe:
                  httpGet: { path: /healthz, port: http }
`);
    expect(objects.flatMap(schemaProblems)).toEqual([expect.stringMatching(/Deployment\/release-conductor: .*replicas must be integer/)]);
    const fixedType = objects.map((object) =>
      object.kind === 'Deployment' ? { ...object, spec: { ...(object.spec as object), replicas: 2 } } : object,
    );
    expect(fixedType.flatMap(schemaProblems)).toEqual([
      'Deployment/release-conductor: unknown field /spec/template/spec/containers/0/livenesProbe',
    ]);
  });

  test('a settings file the bot would refuse fails the config rule', () => {
    const objects = overlay(
      `configMapGenerator:
  - name: release-conductor-settings
    behavior: replace
    files:
      - settings.yaml
`,
      { 'settings.yaml': 'announcementChannel: "#x"\nanchor: { train: 301 }\n' },
    );
    expect(configProblems(objects)).toEqual([expect.stringMatching(/^\/etc\/release-conductor\/settings.yaml: anchor.cutDate: required$/)]);
  });

  test('without kubectl the render fails and says so (CI must not skip it)', () => {
    const empty = path.join(dir, 'bin');
    mkdirSync(empty);
    expect(() => kustomize(path.join(DEPLOY, 'overlays', 'production'), { env: { PATH: empty } })).toThrow(
      /kubectl is not installed \(or not on PATH\)/,
    );
  });
});

describe('deploy/components/service-monitor (the Prometheus Operator)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rc-monitor-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The production overlay with the component added, as an overlay that uses it would be. */
  function withMonitor(): KubeObject[] {
    const production = path.relative(dir, path.join(DEPLOY, 'overlays', 'production'));
    const component = path.relative(dir, path.join(DEPLOY, 'components', 'service-monitor'));
    writeFileSync(path.join(dir, 'kustomization.yaml'), `resources:\n  - ${production}\ncomponents:\n  - ${component}\n`);
    return parseObjects(kustomize(dir));
  }
  type Monitor = KubeObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<Record<string, unknown>> } };
  const monitorOf = (objects: KubeObject[]): Monitor => {
    const monitor = objects.find((object): object is Monitor => object.kind === 'ServiceMonitor');
    if (!monitor) throw new Error('no ServiceMonitor rendered');
    return monitor;
  };

  test('renders a ServiceMonitor that scrapes the Service on /metrics, and every other rule still holds', () => {
    const objects = withMonitor();
    expect(monitorOf(objects)).toBeDefined();
    expect(serviceMonitorProblems(objects)).toEqual([]);
    const others = objects.filter((object) => object.kind !== 'ServiceMonitor');
    for (const [rule, check] of Object.entries(rules('production'))) {
      if (rule !== 'namespace') expect([rule, check(others)]).toEqual([rule, []]);
    }
  });

  test.each([
    ['a port the Service does not name', { port: 'metrics' }, /port metrics is no named port of Service\/release-conductor/],
    ['another path', { path: '/stats' }, /path \/stats, the bot serves \/metrics/],
    ['a timeout beyond the interval', { scrapeTimeout: '1m' }, /scrapeTimeout 1m exceeds interval 30s/],
    ['a misspelled field', { intervall: '30s' }, /unknown field intervall/],
  ])('fails on %s', (_, change, problem) => {
    const objects = withMonitor();
    Object.assign(monitorOf(objects).spec.endpoints[0] ?? {}, change);
    expect(serviceMonitorProblems(objects)).toEqual([expect.stringMatching(problem)]);
  });

  test('fails when it selects no Service', () => {
    const objects = withMonitor();
    monitorOf(objects).spec.selector.matchLabels = { app: 'other' };
    expect(serviceMonitorProblems(objects)).toEqual([expect.stringMatching(/selects no Service/)]);
  });
});

describe('the README and deploy/argocd agree with the overlays', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

  test.each(Object.keys(OVERLAYS) as Overlay[])('deploy/argocd/%s.yaml syncs deploy/overlays/<it> into its namespace', (overlay) => {
    const application = parseYaml(readFileSync(path.join(DEPLOY, 'argocd', `${overlay}.yaml`), 'utf8'));
    expect(application).toMatchObject({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      spec: { source: { path: `deploy/overlays/${overlay}` }, destination: { namespace: OVERLAYS[overlay].namespace } },
    });
  });

  test("the README's example Application is deploy/argocd/production.yaml", () => {
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    const example = blocks.find((block) => block.includes('kind: Application'));
    expect(example && parseYaml(example)).toEqual(parseYaml(readFileSync(path.join(DEPLOY, 'argocd', 'production.yaml'), 'utf8')));
  });

  test("the README's `kubectl create secret` names exactly the Secret keys the manifests may reference", () => {
    const command = /create secret generic release-conductor [\s\S]*?(?=\n```)/.exec(readme)?.[0] ?? '';
    const keys = [...command.matchAll(/--from-literal=(\w+)=/g)].map((match) => match[1]);
    expect(keys.sort()).toEqual([...SECRET_KEYS].sort());
  });
});
