import { symmetricEigen } from './linalg';

describe(symmetricEigen.name, () => {
  it('finds the eigenpairs of a 2×2 matrix worked by hand', () => {
    // [[2, 1], [1, 2]]: eigenvalues 3 (vector (1, 1)/√2) and 1 (vector (1, −1)/√2)
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0][0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0][0] * vectors[0][1]).toBeGreaterThan(0);
    expect(vectors[1][0] * vectors[1][1]).toBeLessThan(0);
  });

  it('reconstructs a random symmetric matrix from its eigenpairs', () => {
    const n = 5;
    const m = new Float64Array(n * n);
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) m[i * n + j] = m[j * n + i] = rnd();
    const { values, vectors } = symmetricEigen(m, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const r = values.reduce((s, l, k) => s + l * vectors[k][i] * vectors[k][j], 0);
        expect(r).toBeCloseTo(m[i * n + j], 10);
      }
    }
  });
});
