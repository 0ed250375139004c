import { describe, expect, it } from 'vitest';
import { describeLpsWords, formatClearanceMm } from './format';

describe('describeLpsWords', () => {
  it('spells each LPS component as a direction, rounded as printed', () => {
    expect(describeLpsWords([150.44, 42.3, -13.06])).toBe('150.4 mm left, 42.3 mm posterior, 13.1 mm inferior');
    expect(describeLpsWords([-7, -0.5, 80])).toBe('7.0 mm right, 0.5 mm anterior, 80.0 mm superior');
    // What prints as 0.0 has no side.
    expect(describeLpsWords([0.04, -0.04, 0])).toBe('0.0 mm left/right, 0.0 mm posterior/anterior, 0.0 mm superior/inferior');
  });
});

describe('formatClearanceMm', () => {
  it('prints a measured clearance with one decimal and a lower bound as "> N mm", floored', () => {
    expect(formatClearanceMm(3.44)).toBe('3.4 mm');
    expect(formatClearanceMm(3.44, false)).toBe('3.4 mm');
    expect(formatClearanceMm(21.35, true)).toBe('> 21 mm');
    expect(formatClearanceMm(21.99, true)).toBe('> 21 mm');
    expect(formatClearanceMm(-0.04)).toBe('0.0 mm');
  });
});
