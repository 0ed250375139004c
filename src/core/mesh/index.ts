export { computeIsosurface, computeVertexNormals, type IsosurfaceOptions, type IsosurfaceResult, type SurfaceMeshData } from './extractSurface';
export { computeSurfaceMesh, compactVertices, type SurfaceMeshOptions, type SurfaceMeshResult, type SurfaceMeshStats } from './computeSurfaceMesh';
export { smoothTaubin } from './smoothMesh';
export { checkEdges, computeMeshArea, computeMeshCentroid, computeMeshVolume, type EdgeReport } from './meshMetrics';
export { createSurfaceEngine, type SurfaceEngine } from './surfaceEngine';
