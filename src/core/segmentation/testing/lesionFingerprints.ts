import { createHash } from 'node:crypto';
import type { Volume } from '../../volume/Volume';
import type { VoxelArray } from '../../volume/voxelBuffer';
import type { GrowLesionOptions, GrowLesionResult } from '../growLesion';

/**
 * Fingerprints of growLesion's outcome, so that a speed-up (or any change) that alters a single
 * voxel, edit entry, figure or error cannot pass silently.
 *
 * - `input`: sha256 (first 16 hex digits) of the CT's voxels, the label volume's voxels before the
 *   click, the options (JSON) and the geometry: which click on which volumes.
 * - `output`: sha256 of the label volume's voxels after the click, the edit's indices, before and
 *   after bytes, then the JSON of the result without the edit (window, levels, measure to the last
 *   bit, flags), or of the error's text when it threw.
 *
 * LESION_FINGERPRINTS maps each input to its output. Recorded on 24 Nov 2026 (07:35 UTC) while
 * every case was still compared with the reference implementation kept until then (growLesion as
 * it was before the speed work of issue #4, deleted in the commit after the one that added this
 * file): the outputs are those of that implementation and of today's growLesion alike. A new
 * input (a phantom, segmentBone or a test seed changed) has no entry: record it only with a
 * commit that says why the input changed; change an output only with a commit that says which
 * voxels changed and why.
 */
export function lesionInputFingerprint(ct: Volume<VoxelArray>, labels: Volume<Uint8Array>, options: GrowLesionOptions): string {
  return createHash('sha256')
    .update(new Uint8Array(ct.voxels.buffer, ct.voxels.byteOffset, ct.voxels.byteLength))
    .update(labels.voxels)
    .update(JSON.stringify({ options, dims: ct.geometry.dims, spacing: ct.geometry.spacingMm, origin: ct.geometry.originLps, direction: ct.geometry.direction }))
    .digest('hex').slice(0, 16);
}

export function lesionOutputFingerprint(labelsAfter: Uint8Array, res: GrowLesionResult | null, err: unknown): string {
  const h = createHash('sha256').update(labelsAfter);
  if (res) {
    const { edit, ...rest } = res;
    h.update(new Uint8Array(edit.indices.buffer, edit.indices.byteOffset, edit.indices.byteLength)).update(edit.before).update(edit.after);
    h.update(JSON.stringify({ ...rest, label: edit.label }));
  } else {
    h.update(`error: ${String(err)}`);
  }
  return h.digest('hex').slice(0, 16);
}

export const LESION_FINGERPRINTS: Readonly<Record<string, string>> = {
  '0af5d4e91a4d13b3': '7f1148878032935d',
  '1345b2dd23cc7be8': '85bb032de3204cee',
  '1ba2f5655d87abbc': '086ebc46c04b9e16',
  '239871207c2d5df3': 'd90e9ab5cf786fb1',
  '25ef50934c63c200': 'ec0e168cb053f98d',
  '2bd99622b5203c81': 'cb4186f3e5355fcb',
  '3337b84b1cb83d85': '7a8851d79ce49f81',
  '34e3bf79a944d191': 'be5754958f6b1065',
  '4dde216ea67d3ff9': 'cf1f480fe7387b73',
  '520b0909cad4a5a5': '8b67e25fb5d90b98',
  '5b0e0af2ed0c29fb': '85bb032de3204cee',
  '618e0c976dc27f02': '029888fbd341bfe2',
  '650beb5056787c4a': '7e27f8334cca2d37',
  '6754266c59834e28': 'e1e62b2db07a7c33',
  '6cd584b0f9b6b582': 'd1354cae56ec48eb',
  '72423020fff67bb8': 'd2bc5686453791a0',
  '7561d05c3e4d8b1f': 'a2ce28044baa7042',
  '8701cc0ceab82988': '427249c9944994b2',
  '8f191fb17b0188d8': '3cb3db5f5c4542dc',
  '9344b1e71e53ed60': '59ebcc8c15c46d73',
  '93ed7809d8d403d4': '2b33f4cd366d5bd9',
  '976497d738050e77': '46ee77bea73573c8',
  'ae2dff8d8bf0ab73': '0d9f9beb3db04d04',
  'b196380673a0ab5b': '23f1048ad8eb4daf',
  'b1f3fe0388ae1b37': 'df00fb64f245bcba',
  'b38cb059872a48c3': 'c065d5dc6b4fb1b8',
  'b7da15dbab41a011': '23f1048ad8eb4daf',
  'bacf5a6e4f370161': '7facde1892f8b265',
  'c4f409b6233a6d8e': '30802cd209538371',
  'ce44fca8a051ac4b': 'c860ed0d7ce77c1a',
  'e5bcc5f8db29d4e1': '4b48b67b57aa7801',
  'ebcaa4962927ebab': 'ba2f8fefed99d754',
  'efd5a6168f161ece': '3921b693363fc98e',
  'f269a3af906503de': 'b3112baf1fde0221',
  'fa6ec830b084ecb3': 'd2bc5686453791a0',
};
