import { describe, expect, it } from 'vitest';
import { createDragRest, REST_MIN_MS, type DragRestClock } from './dragRest';

/** A manual clock: `advance` runs the timers that fall due, in order. */
function manualClock(): DragRestClock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
    pending: () => timers.size,
  };
}

describe('createDragRest', () => {
  it('fires once after REST_MIN_MS without updates when the updates come fast', () => {
    const clock = manualClock();
    let rests = 0;
    const rest = createDragRest(() => rests++, clock);
    for (let i = 0; i < 20; i++) {
      rest.update();
      clock.advance(16);
    }
    expect(rests).toBe(0);
    clock.advance(REST_MIN_MS - 17);
    expect(rests).toBe(0);
    clock.advance(2);
    expect(rests).toBe(1);
    clock.advance(5000);
    expect(rests).toBe(1);
  });

  it('waits three times the drag\'s usual gap when the updates come slowly (a loaded machine)', () => {
    const clock = manualClock();
    let rests = 0;
    const rest = createDragRest(() => rests++, clock);
    for (let i = 0; i < 10; i++) {
      rest.update();
      clock.advance(400); // slower than REST_MIN_MS: a fixed threshold would fire between every event
    }
    // Only in the first gap, before the drag has a pace (the minimum applies).
    expect(rests).toBe(1);
    clock.advance(3 * 400 - 400 - 1);
    expect(rests).toBe(1);
    clock.advance(2);
    expect(rests).toBe(2);
  });

  it('reset forgets the pace and cancels a pending rest; dispose cancels too', () => {
    const clock = manualClock();
    let rests = 0;
    const rest = createDragRest(() => rests++, clock);
    for (let i = 0; i < 5; i++) {
      rest.update();
      clock.advance(400);
    }
    rest.update();
    expect(rests).toBe(1); // the first gap, before the pace was known
    rest.reset();
    expect(clock.pending()).toBe(0);
    clock.advance(10_000);
    expect(rests).toBe(1);
    rest.update();
    clock.advance(REST_MIN_MS + 1); // the slow pace was forgotten: the minimum applies again
    expect(rests).toBe(2);
    rest.update();
    rest.dispose();
    clock.advance(10_000);
    expect(rests).toBe(2);
  });
});
