/**
 * Turns loader findings into what a radiologist needs to read: what was
 * found and what it means for planning. The loader's own message is kept
 * (it names slices and values); we add the planning consequence.
 */
import { errorCodeOf } from '../../core/shared/errors';
import type { LoadIssueView } from './DicomSource';

type Impact = { test: RegExp; impact: string; title: string };

/** Ordered: the first matching code pattern wins. */
const IMPACTS: readonly Impact[] = [
  { test: /missing|gap/, title: 'Missing slice', impact: 'The volume has a gap: anatomy in it is interpolated or absent. Do not plan a screw through the gap; re-export the complete series if you can.' },
  { test: /spacing|uneven|non-?uniform/, title: 'Uneven slice spacing', impact: 'Slices are not equally spaced: the volume was resampled to a regular grid, so lengths along the table axis may be off by up to one slice gap. Check screw lengths on the original slices.' },
  { test: /tilt/, title: 'Gantry tilt', impact: 'The gantry was tilted: the geometry is kept exactly (sheared), so millimetres are right, but the "axial" slices are tilted against the table. Take craniocaudal angles from the report, not from the slices.' },
  { test: /cbct|hu|calibrat/, title: 'Cone-beam CT without HU calibration', impact: 'Grey values are not Hounsfield units: bone thresholds come from this image\'s histogram, and HU-based window presets do not apply (use "CBCT auto").' },
  { test: /reversed|order|sort/, title: 'Slice order', impact: 'Slices were stored out of order and have been sorted by position; no effect on planning.' },
  { test: /several-series/, title: 'Several series', impact: 'The drop holds more than one series: choose the planning CT. Screws are planned on one series only.' },
  { test: /duplicate/, title: 'Duplicate slices', impact: 'Some positions appear twice; one copy of each was used. Check that the series was not exported twice with different content.' },
  { test: /irregular-positions|irregular/, title: 'Irregular slice positions', impact: 'Slice positions do not line up on one axis: the volume may be distorted. Do not plan on it without checking against the original slices.' },
  { test: /single-slice/, title: 'Single image', impact: 'One image is not a volume: a trajectory cannot be planned on it.' },
  { test: /pixel-format/, title: 'Unsupported pixel format', impact: 'Colour or unusual pixel layouts cannot be used as CT values.' },
  { test: /truncat/, title: 'Truncated file', impact: 'A file ends early and cannot be read. If it belongs to the series, the series has a missing slice.' },
  { test: /not-dicom|not dicom|no-dicom/, title: 'Not a DICOM file', impact: 'The file was ignored.' },
  { test: /not-ct|modality|\bmr\b/, title: 'Not a CT series', impact: 'Only CT and cone-beam CT can be used for screw planning: bone and cortex are not measurable on this series.' },
  { test: /no-series|no-ct|empty/, title: 'No CT series', impact: 'Nothing in this drop can be planned on. The volume already open (if any) is kept.' },
  { test: /mixed-orientation|orientation/, title: 'Mixed orientations', impact: 'Slices with different orientations cannot form one volume. Choose a single reconstruction.' },
  { test: /too-large|memory/, title: 'Series too large', impact: 'The series does not fit in the memory this browser allows. Use a thinner region or a coarser reconstruction.' },
  { test: /transfer-syntax|codec|compress/, title: 'Unsupported compression', impact: 'The pixel data is compressed in a format this planner cannot decode. Export the series uncompressed.' },
  { test: /pixel-data/, title: 'No pixel data', impact: 'The file carries no image.' },
  { test: /bad-attributes|attribute/, title: 'Missing position or orientation', impact: 'Without patient position and orientation, left and right cannot be trusted: the series cannot be used for planning.' },
];

export function planningImpactFor(code: string): { title: string; impact: string } {
  const lower = code.toLowerCase();
  for (const entry of IMPACTS) if (entry.test.test(lower)) return { title: entry.title, impact: entry.impact };
  return { title: 'Loader finding', impact: 'Check the images before planning.' };
}

/** An issue from a thrown error (a PlannerError that may have crossed a worker boundary). */
export function issueFromError(error: unknown): LoadIssueView {
  const code = errorCodeOf(error) ?? 'load/failed';
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(/^\[[a-z]+(?:\/[a-z-]+)?\]\s*/, '');
  return { code, severity: 'error', message, planningImpact: planningImpactFor(code).impact };
}

/**
 * Findings that change how a plan must be read, even when the loader could
 * handle them (info severity): replacing an open series by one with these
 * asks the user first.
 */
const CONFIRM_CODES = new Set(['gantry-tilt', 'not-hu-calibrated']);

export function requiresConfirmation(issue: LoadIssueView): boolean {
  return issue.severity === 'warning' || CONFIRM_CODES.has(issue.code);
}
