import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE_SEED } from '../src/seed/test-fixture.js';
import { runCli } from './support/spawn-server.js';

describe('scan2food seed FILE.json', () => {
  it('prints the tree with ids, leaves passwords out, and is idempotent by name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan2food-seed-'));
    const file = join(dir, 'venue.json');
    writeFileSync(file, JSON.stringify(SAMPLE_SEED));
    const first = await runCli(['seed', file], { DATA_DIR: dir });
    expect(first.code).toBe(0);
    const tree = JSON.parse(first.stdout);
    expect(tree.theatres[0]).toMatchObject({ name: 'Galaxy Cinemas', halls: [{ name: 'Audi 1', rows: [{ name: 'A', seats: [{ name: 'A1' }, { name: 'A2' }] }, { name: 'B' }] }, { name: 'Audi 2' }] });
    expect(typeof tree.theatres[0].halls[0].rows[0].seats[0].id).toBe('number');
    expect(typeof tree.theatres[0].menu[0].items[0].id).toBe('number');
    expect(tree.admins[0]).toMatchObject({ username: 'root' });
    expect(first.stdout).not.toContain('password');
    const second = await runCli(['seed', file], { DATA_DIR: dir });
    expect(JSON.parse(second.stdout)).toEqual(tree);
  });

  it('explains what is wrong with a bad file and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan2food-seed-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ theatres: [{ name: '', halls: 'none' }] }));
    const r = await runCli(['seed', file], { DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not valid seed input');
    expect(r.stderr).toContain('halls');
  });
});
