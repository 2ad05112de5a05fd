/** Consumer group of the scorers: instances split the `vitals.samples` partitions (= patients). */
export const SCORER_GROUP = 'scorer';
