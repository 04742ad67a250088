/**
 * Offline validation of the Kubernetes manifests in deploy/k8s: every YAML document is checked against the
 * Kubernetes OpenAPI schema of its kind (kubernetes-models), and the segment Job against the segment interface.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../harness/scenario/load.js';

const K8S_DIR = join(import.meta.dirname, '../../deploy/k8s');

interface Manifest {
  file: string;
  object: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } & Record<string, unknown>;
}

/** Every YAML document of every file under deploy/k8s (parse errors fail the test). */
async function loadManifests(): Promise<Manifest[]> {
  const files = (await readdir(K8S_DIR)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const manifests: Manifest[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(K8S_DIR, file), 'utf8'))) {
      expect(doc.errors, `${file}: YAML errors`).toEqual([]);
      const object = doc.toJS() as Manifest['object'] | null;
      if (object !== null) manifests.push({ file, object });
    }
  }
  return manifests;
}

/** Validates one manifest against the schema of its apiVersion/kind; throws on a schema violation. */
function validateManifest(object: Manifest['object']): void {
  const { apiVersion, kind } = object;
  const data = object as never;
  if (apiVersion === 'batch/v1' && kind === 'Job') new Job(data).validate();
  else if (apiVersion === 'v1' && kind === 'ConfigMap') new ConfigMap(data).validate();
  else if (apiVersion === 'v1' && kind === 'PersistentVolumeClaim')
    new PersistentVolumeClaim(data).validate();
  else if (apiVersion === 'v1' && kind === 'Pod') new Pod(data).validate();
  else throw new Error(`no validator for ${String(apiVersion)} ${String(kind)}`);
}

function byName(manifests: Manifest[], kind: string, name: string): Manifest['object'] {
  const found = manifests.find((m) => m.object.kind === kind && m.object.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} under deploy/k8s`);
  return found.object;
}

describe('deploy/k8s manifests', () => {
  it('are all valid against the Kubernetes schema of their kind, namespace-agnostic', async () => {
    const manifests = await loadManifests();
    expect(
      manifests.map((m) => `${String(m.object.kind)}/${String(m.object.metadata?.name)}`).sort(),
    ).toEqual([
      'ConfigMap/garou-bench-run',
      'ConfigMap/garou-bench-scenario',
      'Job/garou-bench-merge',
      'Job/garou-bench-segments',
      'PersistentVolumeClaim/garou-bench-results',
      'Pod/garou-bench-results-reader',
    ]);
    for (const { file, object } of manifests) {
      expect(() => validateManifest(object), file).not.toThrow();
      expect(object.metadata, `${file}: no fixed namespace`).not.toHaveProperty('namespace');
    }
  });

  it('rejects a manifest with a field of the wrong type (the validation can fail)', async () => {
    const job = structuredClone(
      byName(await loadManifests(), 'Job', 'garou-bench-segments'),
    ) as unknown as IJob;
    (job.spec as unknown as Record<string, unknown>).completions = 'four';
    expect(() => new Job(job).validate()).toThrow(/completions/);
    const pvc = structuredClone(
      byName(await loadManifests(), 'PersistentVolumeClaim', 'garou-bench-results'),
    );
    (pvc.spec as Record<string, unknown>).accessModes = 'ReadWriteMany';
    expect(() => validateManifest(pvc)).toThrow(/accessModes/);
  });

  it('runs one segment per completion index of an Indexed Job with completions === parallelism', async () => {
    const job = byName(await loadManifests(), 'Job', 'garou-bench-segments') as unknown as IJob;
    const spec = job.spec!;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.completions).toBe(spec.parallelism);
    const container = spec.template.spec!.containers[0]!;
    const args = container.args ?? [];
    const segment = args[args.indexOf('--segment') + 1];
    // The segment count in the argument must be the Job's completion count.
    expect(segment).toBe(`$(JOB_COMPLETION_INDEX)/${spec.completions}`);
    expect(args.slice(0, 2)).toEqual(['run', '/scenario/scenario.yaml']);
    expect(args[args.indexOf('--target') + 1]).toBe('$(TARGET)');
    expect(args[args.indexOf('--start-at') + 1]).toBe('$(START_AT)');
    const env = (container.env ?? []).map((e) => e.name);
    expect(env).toEqual(expect.arrayContaining(['TARGET', 'START_AT']));
    const mounts = (container.volumeMounts ?? []).map((m) => m.mountPath);
    expect(mounts).toEqual(expect.arrayContaining(['/scenario', '/results']));
  });

  it('merges the segment results from the shared volume, and ships a valid example scenario', async () => {
    const manifests = await loadManifests();
    const merge = byName(manifests, 'Job', 'garou-bench-merge') as unknown as IJob;
    const args = merge.spec!.template.spec!.containers[0]!.args ?? [];
    const segments = byName(manifests, 'Job', 'garou-bench-segments') as unknown as IJob;
    const segmentArgs = segments.spec!.template.spec!.containers[0]!.args ?? [];
    expect(args[0]).toBe('merge');
    expect(args[1]).toBe(segmentArgs[segmentArgs.indexOf('--out') + 1]);
    expect(args[args.indexOf('--out') + 1]).toBe('/results/merged');
    const pvc = byName(manifests, 'PersistentVolumeClaim', 'garou-bench-results');
    expect((pvc.spec as { accessModes: string[] }).accessModes).toEqual(['ReadWriteMany']);
    const scenarioMap = byName(manifests, 'ConfigMap', 'garou-bench-scenario') as {
      data: Record<string, string>;
    };
    const scenario = parseScenario(scenarioMap.data['scenario.yaml'] ?? '', 'configmap:scenario.yaml');
    expect(scenario.name).toBe('k8s-steady');
    expect(scenario.clients.count).toBeGreaterThan(0);
  });
});
