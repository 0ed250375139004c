/**
 * The e2e test hook: `window.__planner`, present only in builds made with
 * VITE_E2E (the Playwright and bench servers). Each feature adds its own
 * named field; tests use it for what they cannot do through the UI (reading
 * figures to compare with ground truth), never to skip the action under test.
 */
export function testHooks(): Record<string, unknown> | null {
  if (!import.meta.env['VITE_E2E']) return null;
  return ((globalThis as { __planner?: Record<string, unknown> }).__planner ??= {});
}
