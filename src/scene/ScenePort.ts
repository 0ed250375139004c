/**
 * Contract of the three.js plan scene (src/scene is the only place that
 * imports three). Plain data in LPS mm in, selections out.
 *
 * Shared by several modules: change it additively, and say so in the commit.
 */
import type { Vec3 } from '../core/geometry/vec3';
import type { ScrewOverlay } from '../viewer/PlanOverlayPort';

/** A triangle mesh in LPS mm (from the surface worker). */
export type SurfaceMesh = { positionsLps: Float32Array; normals: Float32Array; indices: Uint32Array };

/** A tube along a centreline (roots, canal) or a short cylinder (foramina). */
export type StructureTube = { id: string; centerlineLps: Vec3[]; radiusMm: number; kind: 'root' | 'canal' | 'foramen' | 'joint' };

export interface PlanScene {
  setBone(mesh: SurfaceMesh | null): void;
  setLesion(mesh: SurfaceMesh | null): void;
  setStructures(tubes: readonly StructureTube[]): void;
  setScrews(screws: readonly ScrewOverlay[], selectedId: string | null): void;
  onSelect(listener: (screwId: string | null) => void): () => void;
  /** Clip plane through the selected screw's axis or off. */
  setClipping(on: boolean): void;
  resize(): void;
  dispose(): void;
}
