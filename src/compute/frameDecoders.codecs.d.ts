/**
 * Types for the emscripten glue of Cornerstone's wasm codecs (the packages ship none).
 * Only the factory shape used by frameDecoders.ts is declared.
 */
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: { locateFile?: (file: string) => string }) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: { locateFile?: (file: string) => string }) => Promise<unknown>;
  export default factory;
}
