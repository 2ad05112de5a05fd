import { onnx } from 'onnx-proto';
import { type AutoencoderWeights, type LstmWeights } from './autoencoder';

export const ONNX_OPSET = 13;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'reconstruction';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** Keras gate blocks are i, f, c, o; ONNX wants i, o, f, c. Index: ONNX gate -> Keras gate. */
const KERAS_GATE_FOR_ONNX = [0, 3, 1, 2];

/**
 * Writes the trained autoencoder as an ONNX model (opset 13) computing the same function as the
 * TF.js graph: input [batch, T, 2F] → reconstruction [batch, T, F]. The ONNX LSTM op is time-major,
 * so the graph transposes around it; RepeatVector becomes an Expand of the encoder's last state.
 */
export function exportOnnx(weights: AutoencoderWeights, producerVersion: string): Uint8Array {
  const { windowSize: T, units: H } = weights.config;
  const F = weights.config.features.length;
  const nodes: onnx.INodeProto[] = [];
  const init: onnx.ITensorProto[] = [];
  const node = (opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []) =>
    nodes.push({ opType, input, output, name: `${opType}_${output.find(Boolean)}`, attribute });
  const ints = (name: string, values: number[]): onnx.IAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.INTS,
    ints: values,
  });
  const int = (name: string, i: number): onnx.IAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.INT,
    i,
  });

  const addLstm = (prefix: string, x: string, w: LstmWeights, inputSize: number, outputs: string[]) => {
    const { W, R, B } = lstmToOnnx(w, inputSize, H);
    init.push(
      floatTensor(`${prefix}_W`, [1, 4 * H, inputSize], W),
      floatTensor(`${prefix}_R`, [1, 4 * H, H], R),
      floatTensor(`${prefix}_B`, [1, 8 * H], B),
    );
    node('LSTM', [x, `${prefix}_W`, `${prefix}_R`, `${prefix}_B`], outputs, [int('hidden_size', H)]);
  };

  node('Transpose', [ONNX_INPUT], ['x_tm'], [ints('perm', [1, 0, 2])]); // [T, N, 2F]
  addLstm('enc', 'x_tm', weights.encoder, 2 * F, ['', 'enc_h']); // enc_h [1, N, H]
  init.push(int64Tensor('repeat_shape', [3], [T, 1, 1]));
  node('Expand', ['enc_h', 'repeat_shape'], ['repeated']); // [T, N, H]
  addLstm('dec', 'repeated', weights.decoder, H, ['dec_y']); // [T, 1, N, H]
  init.push(int64Tensor('axis_1', [1], [1]));
  node('Squeeze', ['dec_y', 'axis_1'], ['dec_seq']); // [T, N, H]
  node('Transpose', ['dec_seq'], ['dec_bm'], [ints('perm', [1, 0, 2])]); // [N, T, H]
  init.push(
    floatTensor('dense_W', [H, F], weights.dense.kernel),
    floatTensor('dense_B', [F], weights.dense.bias),
  );
  node('MatMul', ['dec_bm', 'dense_W'], ['dense_mm']);
  node('Add', ['dense_mm', 'dense_B'], [ONNX_OUTPUT]);

  const tensorType = (dims: (number | string)[]): onnx.ITypeProto => ({
    tensorType: {
      elemType: FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  });
  const model: onnx.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'vigil',
    producerVersion,
    graph: {
      name: 'vigil_lstm_ae',
      node: nodes,
      initializer: init,
      input: [{ name: ONNX_INPUT, type: tensorType(['batch', T, 2 * F]) }],
      output: [{ name: ONNX_OUTPUT, type: tensorType(['batch', T, F]) }],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Keras kernel [I, 4H] / recurrent [H, 4H] / bias [4H] → ONNX W [4H, I], R [4H, H], B [Wb ‖ Rb]. */
export function lstmToOnnx(
  w: LstmWeights,
  inputSize: number,
  H: number,
): { W: Float32Array; R: Float32Array; B: Float32Array } {
  const transposeGates = (m: Float32Array, rows: number) => {
    const out = new Float32Array(4 * H * rows);
    for (let g = 0; g < 4; g++) {
      const kg = KERAS_GATE_FOR_ONNX[g];
      for (let j = 0; j < H; j++)
        for (let k = 0; k < rows; k++) out[(g * H + j) * rows + k] = m[k * 4 * H + kg * H + j];
    }
    return out;
  };
  const B = new Float32Array(8 * H); // recurrence bias Rb stays zero: Keras has one bias
  for (let g = 0; g < 4; g++)
    B.set(w.bias.subarray(KERAS_GATE_FOR_ONNX[g] * H, (KERAS_GATE_FOR_ONNX[g] + 1) * H), g * H);
  return { W: transposeGates(w.kernel, inputSize), R: transposeGates(w.recurrent, H), B };
}

function floatTensor(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected)
    throw new RangeError(`${name}: ${data.length} values for shape [${dims.join(', ')}]`);
  const copy = Float32Array.from(data); // little-endian on every platform Node runs on
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(copy.buffer) };
}

function int64Tensor(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return { name, dims, dataType: INT64, rawData: new Uint8Array(data.buffer) };
}
