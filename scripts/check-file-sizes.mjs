// `npm run lint` step: no non-test source file over MAX_LINES lines, except the files listed with a
// reason in README.md's section "Files over 400 lines". A listed file that has shrunk is reported so
// the list stays true (a warning: the file is fine, only the README is stale).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const MAX_LINES = 400;
// The repository root; a test points it at a scratch tree.
const ROOT = process.env.CHECK_FILE_SIZES_ROOT ?? new URL('..', import.meta.url).pathname;
const SOURCE_DIRS = ['apps', 'libs', 'bench', 'bin', 'scripts'].filter((dir) => existsSync(join(ROOT, dir)));
const SOURCE = /\.(ts|js|mjs|cjs)$/;
const TEST = /(\.spec\.ts|\.e2e-spec\.ts)$|(^|\/)testing\//;
const SECTION = /^## Files over 400 lines\s*$/;

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : [];
  });

/** `- \`path\` — reason` lines of the README section, as path → reason. */
const allowList = () => {
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  const start = lines.findIndex((line) => SECTION.test(line));
  const allowed = new Map();
  if (start < 0) return allowed;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    const match = /^- `([^`]+)`\s+(?:—|-)\s+(\S.*)$/.exec(line);
    if (match) allowed.set(match[1], match[2]);
  }
  return allowed;
};

const lineCount = (file) => {
  const text = readFileSync(file, 'utf8');
  return text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
};

const allowed = allowList();
const sizes = SOURCE_DIRS.flatMap((dir) => walk(join(ROOT, dir)))
  .map((file) => relative(ROOT, file))
  .filter((file) => SOURCE.test(file) && !TEST.test(file))
  .map((file) => ({ file, lines: lineCount(join(ROOT, file)) }));

const tooLong = sizes.filter(({ file, lines }) => lines > MAX_LINES && !allowed.has(file));
const stale = [...allowed.keys()].filter((file) => !sizes.some((s) => s.file === file && s.lines > MAX_LINES));
for (const file of stale) process.stderr.write(`check-file-sizes: warning: ${file} is listed in README.md but is not over ${MAX_LINES} lines; remove it from the list\n`);
for (const { file, lines } of tooLong) {
  process.stderr.write(`check-file-sizes: ${file} has ${lines} lines (more than ${MAX_LINES}); split it, or list it with a reason under "Files over 400 lines" in README.md\n`);
}
if (tooLong.length > 0) process.exit(1);
process.stdout.write(`check-file-sizes: ${sizes.length} source files, none over ${MAX_LINES} lines outside the ${allowed.size} listed in README.md\n`);
