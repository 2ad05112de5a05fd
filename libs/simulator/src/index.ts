export * from './random';
export * from './patient-profile';
export * from './episodes';
export * from './vitals-simulator';
export * from './recording';
export * from './recording.writer';
export * from './recording.reader';
export * from './record-simulation';
