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

/**
 * A tube along a centreline (roots, canal) or a short cylinder (foramina).
 * kind 'joint': the femoral head's fitted sphere, `centerlineLps[0]` its centre, `radiusMm` its radius.
 */
export type StructureTube = { id: string; centerlineLps: Vec3[]; radiusMm: number; kind: 'root' | 'canal' | 'foramen' | 'joint' };

/** A screw as the scene draws it: the overlay's data plus, when known, its catalog shape (mm). */
export type SceneScrew = ScrewOverlay & { threadLengthMm?: number; headDiameterMm?: number };

export interface PlanScene {
  setBone(mesh: SurfaceMesh | null): void;
  setLesion(mesh: SurfaceMesh | null): void;
  setStructures(tubes: readonly StructureTube[]): void;
  setScrews(screws: readonly SceneScrew[], selectedId: string | null): void;
  onSelect(listener: (screwId: string | null) => void): () => void;
  /** Clip plane through the selected screw's axis or off. */
  setClipping(on: boolean): void;
  resize(): void;
  /** Back to the anterior (AP) view of the whole bone. */
  resetView(): void;
  /** While inactive (its layer hidden) the scene does not render; activating renders once. */
  setActive(active: boolean): void;
  /** Where an LPS point shows in the scene's element (CSS px from its top-left); null behind the camera. */
  projectLps(pointLps: Vec3): { xPx: number; yPx: number } | null;
  dispose(): void;
}
