export * from './writePart10';
export * from './createUid';
export * from './writeCtSeries';
