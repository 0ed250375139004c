export * from './VolumeGeometry';
export * from './Volume';
export * from './voxelBuffer';
export * from './sampleTrilinear';
