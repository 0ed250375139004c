/** Minimal typing of the parts of dcmjs (untyped on npm) that dicomSeg.ts uses. */
declare module 'dcmjs' {
  const dcmjs: {
    data: {
      DicomMetaDictionary: {
        denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown>;
        naturalizeDataset(dict: Record<string, unknown>): Record<string, any>;
      };
      DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(options?: Record<string, unknown>): ArrayBuffer };
      DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, unknown>; meta: Record<string, unknown> } };
    };
  };
  export default dcmjs;
}
