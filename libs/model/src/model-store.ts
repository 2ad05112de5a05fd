import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractWeights } from './autoencoder';
import { exportOnnx } from './onnx-export';
import {
  METADATA_FILE,
  MODEL_FORMAT,
  TFJS_MODEL_FILE,
  TFJS_WEIGHTS_FILE,
  type ModelMetadata,
} from './model-metadata';
import { tf } from './tf-backend';

/** The model folder's edge: TF.js model.json + weights.bin in the standard layers-model format, without needing tfjs-node's file:// handler. */
export async function saveTfjsModel(dir: string, model: tf.LayersModel): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const weights =
        data === undefined ? new Uint8Array() : Array.isArray(data) ? concat(data) : new Uint8Array(data);
      await writeFile(join(dir, TFJS_WEIGHTS_FILE), weights);
      const manifest = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      };
      await writeFile(join(dir, TFJS_MODEL_FILE), JSON.stringify(manifest));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

export async function loadTfjsModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, TFJS_MODEL_FILE), 'utf8')) as ModelJson;
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(
    json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))),
  );
  const weightData = concat(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs,
      weightData: weightData.buffer as ArrayBuffer,
    }),
  );
}

export async function saveMetadata(dir: string, metadata: ModelMetadata): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, METADATA_FILE), JSON.stringify(metadata, null, 2) + '\n');
}

export async function readMetadata(dir: string): Promise<ModelMetadata> {
  let parsed: Partial<ModelMetadata>;
  try {
    parsed = JSON.parse(await readFile(join(dir, METADATA_FILE), 'utf8')) as Partial<ModelMetadata>;
  } catch (cause) {
    throw new Error(`${dir} is not a Vigil model folder: cannot read ${METADATA_FILE}`, { cause });
  }
  if (parsed.format !== MODEL_FORMAT || parsed.formatVersion !== 1)
    throw new Error(`${join(dir, METADATA_FILE)}: not a ${MODEL_FORMAT} v1 model`);
  return parsed as ModelMetadata;
}

function concat(parts: readonly ArrayBufferLike[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}

/** Writes a whole model folder: TF.js files, the ONNX export of the same weights, metadata.json. */
export async function saveModelFolder(
  dir: string,
  model: tf.LayersModel,
  metadata: ModelMetadata,
): Promise<void> {
  await saveTfjsModel(dir, model);
  await writeFile(
    join(dir, metadata.files.onnx),
    exportOnnx(extractWeights(model, metadata.config), metadata.versions.vigil),
  );
  await saveMetadata(dir, metadata);
}
