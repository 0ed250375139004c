/**
 * The trajectory report for the procedure room (DESIGN §5): report model,
 * room angles, series coordinates, plan JSON (zod, SHA-256), PDF (pdf-lib),
 * images made in core, and adapters from the planner's data.
 */
export * from './ReportModel';
export * from './roomAngles';
export * from './seriesCoordinates';
export * from './format';
export * from './planSchema';
export * from './toJson';
export * from './canonicalJson';
export * from './sha256';
export * from './toPdf';
export * from './encodePng';
export * from './trajectoryImages';
export * from './computeSkinEntry';
export * from './fromPlanner';
