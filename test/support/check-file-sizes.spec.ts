import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../scripts/check-file-sizes.mjs');

const check = (root: string): { status: number; output: string } => {
  try {
    const stdout = execFileSync(process.execPath, [SCRIPT], { env: { ...process.env, CHECK_FILE_SIZES_ROOT: root }, encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, output: stdout };
  } catch (error) {
    const e = error as { status: number; stderr: string };
    return { status: e.status, output: e.stderr };
  }
};

describe('scripts/check-file-sizes.mjs (run by npm run lint)', () => {
  let root: string;
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => `export const x${i} = ${i};`).join('\n') + '\n';

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'file-sizes-'));
    mkdirSync(join(root, 'libs', 'a', 'src', 'testing'), { recursive: true });
    writeFileSync(join(root, 'libs', 'a', 'src', 'ok.ts'), lines(400));
    writeFileSync(join(root, 'libs', 'a', 'src', 'big.spec.ts'), lines(900));
    writeFileSync(join(root, 'libs', 'a', 'src', 'testing', 'fixture.ts'), lines(900));
    writeFileSync(join(root, 'README.md'), '# x\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('passes a tree whose source files are at most 400 lines (tests and testing/ helpers do not count)', () => {
    expect(check(root).status).toBe(0);
  });

  it('fails on a 401-line source file that the README does not list, naming it', () => {
    writeFileSync(join(root, 'libs', 'a', 'src', 'long.ts'), lines(401));
    const result = check(root);
    expect(result.status).toBe(1);
    expect(result.output).toContain('libs/a/src/long.ts has 401 lines');
  });

  it('passes it when the README lists it with a reason, and warns about a stale entry', () => {
    writeFileSync(join(root, 'libs', 'a', 'src', 'long.ts'), lines(401));
    writeFileSync(join(root, 'README.md'), '# x\n\n## Files over 400 lines\n\n- `libs/a/src/long.ts` — one algorithm\n- `libs/a/src/ok.ts` — stale\n\n## Next\n');
    const result = check(root);
    expect(result.status).toBe(0);
  });
});
