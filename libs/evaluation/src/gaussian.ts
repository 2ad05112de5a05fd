/**
 * Complementary error function, Chebyshev fit from Numerical Recipes (`erfcc`): fractional error
 * below 1.2e-7 everywhere, which is far finer than any threshold a detector is tuned to.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(X > x) for X ~ N(mean, std²), mirrored below the mean (a two-sided tail, as NAB's windowedGaussian uses). */
export function gaussianTail(x: number, mean: number, std: number): number {
  const xp = x < mean ? 2 * mean - x : x;
  return 0.5 * erfc((xp - mean) / std / Math.SQRT2);
}
