// DICOM loading off the main thread: parse, index, assemble (see src/compute/dicomLoadClient.ts).
import { createDicomLoadWorkerApi, serveDicomLoadApi } from '../src/compute/dicomLoadClient';

serveDicomLoadApi(createDicomLoadWorkerApi());
