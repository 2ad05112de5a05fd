import { InvalidArgumentError } from 'commander';

// Argument parsers for commander options. Commander names the option and the value in its error
// ("option '--devices <n>' argument '0' is invalid."); these add what was expected.

export function positiveNumber(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function nonNegativeNumber(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('expected a number >= 0');
  return n;
}

export function positiveInteger(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function integer(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

export const integerAtLeast =
  (min: number) =>
  (raw: string): number => {
    const n = integer(raw);
    if (n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
