export * from './stats';
export * from './gaussian';
export * from './event-metrics';
export * from './pr-curve';
export * from './nab/nab-sweeper';
export * from './nab/nab-corpus';
export * from './nab/nab-detector';
export * from './nab/windowed-gaussian.detector';
