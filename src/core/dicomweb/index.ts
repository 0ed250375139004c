export * from './http';
export * from './classifyError';
export * from './qido';
export * from './multipart';
export * from './part10Header';
export * from './createDicomWebClient';
