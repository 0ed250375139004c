/**
 * Planner rules in the plan panel (issue #5), on the bundled sacralAla-medium
 * phantom: the minimum lesion span is a plan setting (default 8 mm, shown
 * in the settings and their summary), the proposed S1 screw runs through the
 * lesion (its row says how far), and a planned corridor's clearance that is
 * only a lower bound reads "> N mm". Lesion seeded at the TRUTH centre.
 */
import { expect, test } from '@playwright/test';
import { appData, screenshot, waitForAnatomy } from './support/app';
import { truthLesionCenter, waitSessionReady } from './support/session';

const SAMPLE = 'sacralAla-medium';

test('lesion span setting, through-lesion figure and bounded clearances in the plan panel', async ({ page }) => {
  test.setTimeout(600_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  await page.goto(`/?sample=${SAMPLE}&no3d=1`);
  await waitForAnatomy(page, 'axial');
  await waitSessionReady(page);
  const seed = truthLesionCenter(SAMPLE);
  await page.evaluate((q) => (window as unknown as { __planner: { session: { growLesion(p: number[]): Promise<unknown> } } }).__planner.session.growLesion(q), seed);
  await waitSessionReady(page);

  // The setting, with its default, in the folded settings box and its summary line.
  const summary = page.locator('.plan-settings-box > summary');
  await expect(summary).toContainText('lesion span 8');
  await summary.click();
  const span = page.locator('[data-setting="minLesionSpanMm"]');
  await expect(span).toHaveValue('8');

  await page.locator('[data-action="plan"]').click();
  await expect(page.locator('.plan-panel')).toHaveAttribute('data-plan-state', 'done', { timeout: 180_000 });
  const rowsText = await page.locator('.plan-corridor').allTextContents();
  console.log(`plan rows:\n${rowsText.join('\n')}`);
  await page.locator('.plan-panel').screenshot({ path: 'e2e/artifacts/plan-rules-panel-1600x900.png' });
  const s1 = page.locator('.plan-corridor[data-corridor="iliosacralS1"][data-side="left"]');
  await expect(s1).toHaveAttribute('data-available', '1');
  const figures = (await s1.locator('.plan-figures').textContent()) ?? '';
  const through = /through lesion (\d+) mm/.exec(figures);
  expect(through, figures).not.toBeNull();
  expect(Number(through![1])).toBeGreaterThanOrEqual(8); // 8 mm + voxel tolerance required, printed rounded
  await screenshot(page, 'plan-rules-1600x900');

  // The setting is an undoable plan edit.
  const rev0 = Number((await appData(page))['planRevision']);
  await span.fill('4');
  await span.press('Tab');
  await expect(page.locator('#app')).toHaveAttribute('data-plan-revision', String(rev0 + 1));
  await expect(summary).toContainText('lesion span 4');
  await page.keyboard.press('Control+z');
  await expect(span).toHaveValue('8');
});
