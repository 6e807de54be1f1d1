import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderRecapEmail, type RecapEmailView } from '../../shared/mail/recap-email.ts';

/**
 * R-REC-1 the recap's HTML as a reader sees it: a sample recap rendered into test-artifacts/ (git-ignored) and
 * screenshots at desktop and phone widths in Debian's Chromium. CI installs Chromium (.ci/run), so there the
 * screenshots always run and a missing browser fails; a developer's machine without it skips them.
 */

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const SAMPLE_HTML = join(ARTIFACTS, 'recap-sample.html');
const WIDTHS = [
  { width: 1200, height: 1500 },
  { width: 390, height: 2000 },
];

const sample: RecapEmailView = {
  recipientName: 'Giulia Bianchi',
  timeZone: 'Europe/Rome',
  now: new Date('2026-11-24T07:00:00Z'),
  appUrl: 'https://crm.acme.example',
  ownCount: 5,
  own: [
    { statusId: 'S1', statusName: 'Open', leads: [{ id: '01J0000000000000000000000A', name: 'Ristorante Da Mario', dueDate: '2026-11-24', daysOverdue: 0 }] },
    {
      statusId: 'S2',
      statusName: 'Attempting contact',
      leads: [
        { id: '01J0000000000000000000000B', name: 'Fratelli Rossi & Figli S.r.l. — sede di Bologna', dueDate: '2026-11-19', daysOverdue: 5 },
        { id: '01J0000000000000000000000C', name: 'Studio Verdi', dueDate: '2026-11-23', daysOverdue: 1 },
      ],
    },
    {
      statusId: 'S3',
      statusName: 'Working',
      leads: [
        { id: '01J0000000000000000000000D', name: 'Acme Italia', dueDate: '2026-10-30', daysOverdue: 25 },
        { id: '01J0000000000000000000000E', name: 'Officine Neri', dueDate: '2026-11-21', daysOverdue: 3 },
      ],
    },
  ],
  team: {
    count: 17,
    perStatus: [
      { statusId: 'S1', statusName: 'Open', count: 4 },
      { statusId: 'S2', statusName: 'Attempting contact', count: 6 },
      { statusId: 'S3', statusName: 'Working', count: 7 },
    ],
  },
};

const run = promisify(execFile);
const screenshotsRun = process.env.CI === 'true' || existsSync(CHROMIUM);

describe('R-REC-1 the recap HTML in a browser', () => {
  it('R-REC-1 renders a sample recap (Italian, with team totals) to test-artifacts/recap-sample.html', () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const { html } = renderRecapEmail(sample, 'it');

    writeFileSync(SAMPLE_HTML, html);

    expect(readFileSync(SAMPLE_HTML, 'utf8')).toContain('Fratelli Rossi &amp; Figli S.r.l. — sede di Bologna');
  });

  it.skipIf(!screenshotsRun)('R-REC-1 headless Chromium screenshots the sample at 1200 px and 390 px', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run) for this test`);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(SAMPLE_HTML, renderRecapEmail(sample, 'it').html);
    const profile = mkdtempSync(join(tmpdir(), 'recap-chromium-'));
    try {
      for (const { width, height } of WIDTHS) {
        const screenshot = join(ARTIFACTS, `recap-${width}.png`);
        rmSync(screenshot, { force: true });

        await run(
          CHROMIUM,
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
            `--user-data-dir=${profile}`,
            `--screenshot=${screenshot}`,
            `--window-size=${width},${height}`,
            pathToFileURL(SAMPLE_HTML).href,
          ],
          { timeout: 60_000 },
        );

        const png = readFileSync(screenshot);
        expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
        // The IHDR chunk starts with the image width: the page was laid out at that width.
        expect(png.readUInt32BE(16)).toBe(width);
      }
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }, 150_000);
});
