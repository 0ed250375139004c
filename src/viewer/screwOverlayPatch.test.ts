/**
 * The screw layer patches each screw's SVG group in place on a redraw (issue #6: no rebuild of
 * the layer per pointer event). What is on screen must be exactly what a fresh drawing gives:
 * checked on a minimal DOM (no DOM library in the unit tests) over random screws, planes,
 * statuses and selections, one patch after another, node for node.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../core/geometry/vec3';
import type { ScrewOverlay } from './PlanOverlayPort';
import { createNode, drawScrew, patchNode } from './screwOverlay';
import type { PlaneLps } from './screwSection';

class FakeElement {
  readonly tagName: string;
  attributes = new Map<string, string>();
  children: FakeElement[] = [];
  parent: FakeElement | null = null;
  private text: string | null = null;
  writes = 0;
  constructor(tag: string) {
    this.tagName = tag;
  }
  setAttribute(k: string, v: string): void {
    this.writes++;
    this.attributes.set(k, v);
  }
  removeAttribute(k: string): void {
    this.writes++;
    this.attributes.delete(k);
  }
  get textContent(): string {
    return this.text ?? this.children.map((c) => c.textContent).join('');
  }
  set textContent(t: string) {
    this.writes++;
    for (const c of this.children) c.parent = null;
    this.children = [];
    this.text = t;
  }
  appendChild(c: FakeElement): FakeElement {
    c.parent?.children.splice(c.parent.children.indexOf(c), 1);
    this.text = null;
    this.children.push(c);
    c.parent = this;
    return c;
  }
  replaceChild(next: FakeElement, old: FakeElement): FakeElement {
    const i = this.children.indexOf(old);
    this.children[i] = next;
    next.parent = this;
    old.parent = null;
    return old;
  }
  remove(): void {
    if (!this.parent) return;
    this.parent.children.splice(this.parent.children.indexOf(this), 1);
    this.parent = null;
  }
  get firstElementChild(): FakeElement | null {
    return this.children[0] ?? null;
  }
  get nextElementSibling(): FakeElement | null {
    const p = this.parent;
    return p ? (p.children[p.children.indexOf(this) + 1] ?? null) : null;
  }
  /** Tag, sorted attributes, text and children: what the browser would draw. */
  serialize(): string {
    const attrs = [...this.attributes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}="${v}"`).join(' ');
    const inner = this.text !== null ? this.text : this.children.map((c) => c.serialize()).join('');
    return `<${this.tagName} ${attrs}>${inner}</${this.tagName}>`;
  }
  allNodes(): FakeElement[] {
    return [this, ...this.children.flatMap((c) => c.allNodes())];
  }
}

const g = globalThis as { document?: unknown };
let saved: unknown;
beforeAll(() => {
  saved = g.document;
  g.document = { createElementNS: (_ns: string, tag: string) => new FakeElement(tag) };
});
afterAll(() => {
  g.document = saved;
});

const coord = fc.double({ min: -120, max: 120, noNaN: true });
const vec = fc.tuple(coord, coord, coord) as fc.Arbitrary<Vec3>;
const unit = fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })).filter((v) => Math.hypot(...v) > 0.2).map((v): Vec3 => {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
});
const screwArb: fc.Arbitrary<ScrewOverlay> = fc.record({
  id: fc.constant('s1'),
  label: fc.constantFrom('IS S1 L', 'IS S2 R', 'TS S1'),
  entryLps: vec,
  tipLps: vec,
  diameterMm: fc.constantFrom(6.5, 7.3),
  status: fc.constantFrom('ok', 'failed', 'overridden', 'pending'),
  skinEntryLps: fc.option(vec, { nil: null }),
}).filter((s) => Math.hypot(s.tipLps[0] - s.entryLps[0], s.tipLps[1] - s.entryLps[1], s.tipLps[2] - s.entryLps[2]) > 5);
// Planes that often run along the screw (outline), cut it (cross-section) or miss it.
const drawing = fc.record({ screw: screwArb, selected: fc.boolean(), plane: fc.record({ pointLps: vec, normalLps: unit }), scale: fc.double({ min: 0.5, max: 4, noNaN: true }) });
const toCanvasOf = (plane: PlaneLps, scale: number) => (p: Readonly<Vec3>): [number, number] => [400 + scale * (p[0] - plane.pointLps[0]), 300 + scale * (p[1] - plane.pointLps[1]) + 0.3 * (p[2] - plane.pointLps[2])];
/** A plane through the screw's axis (the outline case), its normal turned from `n`. */
const along = (s: ScrewOverlay, n: Vec3): PlaneLps => {
  const a = [s.tipLps[0] - s.entryLps[0], s.tipLps[1] - s.entryLps[1], s.tipLps[2] - s.entryLps[2]];
  const c: Vec3 = [a[1]! * n[2] - a[2]! * n[1], a[2]! * n[0] - a[0]! * n[2], a[0]! * n[1] - a[1]! * n[0]];
  const l = Math.hypot(...c);
  return { pointLps: [...s.entryLps] as Vec3, normalLps: l > 1e-9 ? [c[0] / l, c[1] / l, c[2] / l] : [0, 0, 1] };
};

describe('screw layer patching', () => {
  it('a group patched through any sequence of drawings equals a fresh drawing of the last one', () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(fc.array(fc.tuple(drawing, fc.boolean()), { minLength: 2, maxLength: 8 }), (steps) => {
        let node: FakeElement | null = null;
        for (const [d, inPlane] of steps) {
          const plane = inPlane ? along(d.screw, d.plane.normalLps) : d.plane;
          const next = drawScrew(d.screw, d.selected, plane, toCanvasOf(plane, d.scale));
          kinds.add(next.attrs['data-kind']!);
          if (node) patchNode(node as unknown as SVGElement, next);
          else node = createNode(next) as unknown as FakeElement;
          const fresh = createNode(drawScrew(d.screw, d.selected, plane, toCanvasOf(plane, d.scale))) as unknown as FakeElement;
          expect(node.serialize()).toBe(fresh.serialize());
        }
      }),
      { numRuns: Number(process.env['FC_RUNS'] ?? 200) },
    );
    // The drawings went through every kind (so the patches changed the groups' structure too).
    expect([...kinds].sort()).toEqual(['crossSection', 'none', 'outline']);
  });

  it('a drag step keeps the nodes and writes only what moved', () => {
    const screw: ScrewOverlay = { id: 's1', label: 'IS S1 L', entryLps: [60, 0, 0], tipLps: [-10, 5, 2], diameterMm: 7.3, status: 'ok', skinEntryLps: [120, 0, 0] };
    const plane: PlaneLps = { pointLps: [0, 0, 0], normalLps: [0, 0, 1] };
    const map = toCanvasOf(plane, 2);
    const node = createNode(drawScrew(screw, true, plane, map)) as unknown as FakeElement;
    const before = node.allNodes();
    for (const n of before) n.writes = 0;
    // Same drawing again: nothing written at all.
    patchNode(node as unknown as SVGElement, drawScrew(screw, true, plane, map));
    expect(before.reduce((a, n) => a + n.writes, 0)).toBe(0);
    // The tip moves 1 mm in the plane: same nodes, a few coordinates rewritten.
    patchNode(node as unknown as SVGElement, drawScrew({ ...screw, tipLps: [-11, 5, 2] }, true, plane, map));
    expect(node.allNodes()).toEqual(before);
    const writes = before.reduce((a, n) => a + n.writes, 0);
    const attributes = before.reduce((a, n) => a + n.attributes.size, 0);
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(attributes / 3);
  });
});
