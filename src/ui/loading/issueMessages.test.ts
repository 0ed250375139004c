import { describe, expect, it } from 'vitest';
import type { LoadIssueCode } from '../../core/dicom/types';
import { PlannerError } from '../../core/shared/errors';
import { issueFromError, planningImpactFor } from './issueMessages';
import { summarizeFiles, toIssueView } from './dicomMapping';

// Every code the DICOM loader can report (kept in step with LoadIssueCode by the compiler).
const ALL_CODES: Record<LoadIssueCode, true> = {
  'not-dicom': true, truncated: true, 'no-pixel-data': true, 'unsupported-transfer-syntax': true,
  'unsupported-pixel-format': true, 'bad-attributes': true, 'not-ct': true, 'several-series': true,
  'mixed-orientation': true, 'missing-slices': true, 'uneven-spacing': true, 'gantry-tilt': true,
  'duplicate-slices': true, 'irregular-positions': true, 'single-slice': true, 'not-hu-calibrated': true,
};

describe('loader findings in planning terms', () => {
  it('gives every loader code its own title and planning consequence (none falls through to the generic text)', () => {
    const titles = new Set<string>();
    for (const code of Object.keys(ALL_CODES)) {
      const { title, impact } = planningImpactFor(code);
      expect(title, code).not.toBe('Loader finding');
      expect(impact.length, code).toBeGreaterThan(15);
      titles.add(title);
    }
    expect(titles.size).toBe(Object.keys(ALL_CODES).length);
  });

  it('names the specific consequence for the findings that change a plan', () => {
    expect(planningImpactFor('missing-slices').impact).toMatch(/gap/i);
    expect(planningImpactFor('gantry-tilt').impact).toMatch(/tilt/i);
    expect(planningImpactFor('not-hu-calibrated').title).toMatch(/cone-beam/i);
    expect(planningImpactFor('uneven-spacing').impact).toMatch(/resampled/i);
  });

  it('turns an error from a worker (code only in the message) into a blocking finding', () => {
    const crossed = new Error(new PlannerError('dicom/not-ct', 'series 1.2.3 is MR').message);
    const issue = issueFromError(crossed);
    expect(issue.code).toBe('dicom/not-ct');
    expect(issue.severity).toBe('error');
    expect(issue.message).toBe('series 1.2.3 is MR');
    expect(issue.planningImpact).toMatch(/CT/);
  });

  it('abbreviates long file lists', () => {
    expect(summarizeFiles(['a', 'b'])).toBe('a, b');
    expect(summarizeFiles(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c and 2 more');
    const v = toIssueView({ code: 'truncated', severity: 'error', message: 'x.dcm ends at byte 100', files: ['x.dcm'] });
    expect(v.where).toBe('x.dcm');
    expect(v.planningImpact).toMatch(/missing slice/);
  });
});
