#!/usr/bin/env node
// Validates the manifests in this folder against the Kubernetes OpenAPI schemas shipped by the
// `kubernetes-models` package (npm), with no cluster: node deploy/k8s/validate.mjs [--json] [files...]
// Exit status 1 when a document is invalid or of a kind it has no schema for.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';

const MODELS = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const named = args.filter((a) => a !== '--json');
const files = named.length
  ? named
  : readdirSync(here)
      .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
      .sort()
      .map((f) => join(here, f));

const documents = [];
const errors = [];
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) {
      errors.push({ file: basename(file), problem: doc.errors.map((e) => e.message).join('; ') });
      continue;
    }
    const object = doc.toJS();
    if (object === null || object === undefined) continue;
    const type = `${object.apiVersion}/${object.kind}`;
    const where = { file: basename(file), kind: object.kind, name: object.metadata?.name };
    const Model = MODELS[type];
    if (!Model) {
      errors.push({ ...where, problem: `no schema here for ${type}` });
      continue;
    }
    try {
      new Model(object).validate();
      documents.push(where);
    } catch (error) {
      errors.push({ ...where, problem: error instanceof Error ? error.message : String(error) });
    }
  }
}

if (json) process.stdout.write(`${JSON.stringify({ documents, errors })}\n`);
else {
  for (const d of documents) process.stdout.write(`ok      ${d.file}: ${d.kind} ${d.name}\n`);
  for (const e of errors)
    process.stdout.write(`INVALID ${e.file}: ${e.kind ?? ''} ${e.name ?? ''}: ${e.problem}\n`);
}
process.exitCode = errors.length > 0 ? 1 : 0;
