import { lstmToOnnx } from './onnx-export';

describe(lstmToOnnx.name, () => {
  it('reorders Keras gates (i, f, c, o) to ONNX (i, o, f, c), transposes, and appends a zero recurrence bias', () => {
    // H = 1, input size 2: kernel [2, 4], recurrent [1, 4], bias [4]; value encodes (row, gate).
    const kernel = Float32Array.from([10, 11, 12, 13, 20, 21, 22, 23]);
    const recurrent = Float32Array.from([30, 31, 32, 33]);
    const bias = Float32Array.from([40, 41, 42, 43]);
    const { W, R, B } = lstmToOnnx({ kernel, recurrent, bias }, 2, 1);
    // W is [4H, I]: gate rows i, o, f, c; each row holds that gate's weight for inputs 0 and 1.
    expect(Array.from(W)).toEqual([10, 20, 13, 23, 11, 21, 12, 22]);
    expect(Array.from(R)).toEqual([30, 33, 31, 32]);
    expect(Array.from(B)).toEqual([40, 43, 41, 42, 0, 0, 0, 0]);
  });
});
