import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tar, untar } from '../src/labels/tar';

describe('tar', () => {
  it('writes an archive that GNU tar extracts byte for byte', () => {
    const data = Uint8Array.from({ length: 1300 }, (_, i) => i % 251);
    const folder = mkdtempSync(join(tmpdir(), 'cl2-web-tar-'));
    writeFileSync(join(folder, 'mask.tar'), tar([{ name: 'labels.json', data: new TextEncoder().encode('{"a":1}') }, { name: 'labels.u8', data }]));

    execFileSync('tar', ['-xf', 'mask.tar'], { cwd: folder });

    expect(readFileSync(join(folder, 'labels.json'), 'utf8')).toBe('{"a":1}');
    expect(new Uint8Array(readFileSync(join(folder, 'labels.u8')))).toEqual(data);
  });

  it('reads back an archive GNU tar wrote', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cl2-web-untar-'));
    writeFileSync(join(folder, 'labels.u8'), Buffer.from([0, 1, 2, 3]));
    execFileSync('tar', ['--format=ustar', '-cf', 'mask.tar', 'labels.u8'], { cwd: folder });

    const files = untar(new Uint8Array(readFileSync(join(folder, 'mask.tar'))));

    expect([...files.get('labels.u8')!]).toEqual([0, 1, 2, 3]);
  });

  it('refuses a name longer than the header holds', () => {
    expect(() => tar([{ name: 'x'.repeat(101), data: new Uint8Array() }])).toThrow(/does not fit/);
  });
});
