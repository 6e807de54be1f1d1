import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, startSettings } from '../../local/start-settings.ts';
import { API_THROTTLE } from '../../shared/http/throttle.ts';

const folder = () => mkdtempSync(join(tmpdir(), 'start-settings-'));

describe('SPEC §10 npm start settings (PORT, LOCAL_DATA_DIR, LOCAL_THROTTLE)', () => {
  it('SPEC §10 defaults: port 3000, the stage throttle; a given port, data folder and throttle are taken as they are', () => {
    const dataDir = folder();

    const defaults = startSettings({ LOCAL_DATA_DIR: dataDir });
    const given = startSettings({ PORT: '0', LOCAL_DATA_DIR: dataDir, LOCAL_THROTTLE: 'off' });

    expect(defaults).toEqual({ settings: { port: DEFAULT_PORT, dataDir, throttle: API_THROTTLE } });
    expect(given).toEqual({ settings: { port: 0, dataDir, throttle: false } });
  });

  it('SPEC §10 every wrong setting is named in one line before anything starts: a port that is not one, a throttle that is not off or rate/burst, a data folder that cannot be written', () => {
    const file = join(folder(), 'a-file');
    writeFileSync(file, '');

    const checked = startSettings({ PORT: 'abc', LOCAL_THROTTLE: 'fast', LOCAL_DATA_DIR: join(file, 'data') });
    const tooHigh = startSettings({ PORT: '70000', LOCAL_DATA_DIR: folder() });

    expect(checked).toEqual({
      problems: [
        expect.stringMatching(/^PORT must be a port number from 0 to 65535.*"abc"$/),
        expect.stringMatching(/^LOCAL_THROTTLE must be off or <rate>\/<burst>.*"fast"$/),
        expect.stringMatching(/^LOCAL_DATA_DIR must be a folder this user can write, .*\(ENOTDIR\)$/),
      ],
    });
    expect(tooHigh).toEqual({ problems: [expect.stringMatching(/^PORT must be a port number.*"70000"$/)] });
  });
});
