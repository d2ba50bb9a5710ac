import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { ledgerFiles } from '@trial-ledger/audit';
import { LEDGER_VARIABLES, ledgerConfig } from '@trial-ledger/config';
import { sessionSealKeyFile } from '../../apps/cli/src/serve/session-seal-key';

/**
 * docker/ cannot be run on the machines that test this repository (no Docker engine), so its files are
 * read here and held to the code: the variables the image sets are settings the configuration knows,
 * and every file `serve` writes in the container lies on a volume the unprivileged user owns — a file
 * elsewhere would be lost with the container, and `/app` is root's, so it could not be created at all.
 */
const ROOT = resolve(__dirname, '../..');
const dockerfile = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');
const compose = readFileSync(join(ROOT, 'docker/compose.yaml'), 'utf8');

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
const runtimeStage = instructions.slice(instructions.map((line) => line.startsWith('FROM ')).lastIndexOf(true));
const argsOf = (keyword: string): string[] => runtimeStage.filter((line) => line.startsWith(`${keyword} `)).map((line) => line.slice(keyword.length + 1).trim());

const imageEnv: Record<string, string> = Object.fromEntries(
  argsOf('ENV').flatMap((args) => [...args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)].map((m) => [m[1], m[2].replace(/^"|"$/g, '')])),
);
const workdir = argsOf('WORKDIR').at(-1) ?? '/';
const volumes: string[] = argsOf('VOLUME').flatMap((args) => JSON.parse(args) as string[]);
const composeStore = /LEDGER_STORE: \$\{LEDGER_STORE:-([^$]*)\$\{POSTGRES_PASSWORD[^}]*\}(@[^}]*)\}/.exec(compose);

/** A path as the process in the container sees it: relative ones are resolved against its WORKDIR. */
const inContainer = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return !rel.startsWith('..') && !isAbsolute(rel) ? join(workdir, rel) : path;
};
const onVolume = (path: string): boolean => volumes.some((volume) => !relative(volume, path).startsWith('..'));

describe('the container image (docker/Dockerfile, docker/compose.yaml)', () => {
  it('sets only ledger variables the configuration schema knows', () => {
    const named = [...`${Object.keys(imageEnv).join(' ')} ${compose}`.matchAll(/\b((?:TRIAL_)?LEDGER_[A-Z][A-Z0-9_]*)\b/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !LEDGER_VARIABLES.includes(name as (typeof LEDGER_VARIABLES)[number]))).toEqual([]);
  });

  it('names store URLs (the image default, PostgreSQL, the KurrentDB cluster) the configuration accepts', () => {
    const urls = [imageEnv.LEDGER_STORE, ...[...compose.matchAll(/LEDGER_STORE='([^']+)'/g)].map((m) => m[1])];
    if (composeStore) urls.push(`${composeStore[1]}secret${composeStore[2]}`);
    expect(urls).toHaveLength(3);
    for (const url of urls) expect(() => ledgerConfig({ LEDGER_STORE: url })).not.toThrow();
  });

  it.each([
    ['the image default', imageEnv.LEDGER_STORE],
    ["compose's PostgreSQL", composeStore ? `${composeStore[1]}secret${composeStore[2]}` : 'compose names no PostgreSQL store'],
  ])('given %s store, then the store, the checkpoints, the signing and seal keys and the trust file lie on its volumes', (_, store) => {
    const files = ledgerFiles(store, { env: imageEnv });
    const written = [files.checkpointFile, files.keyFile, sessionSealKeyFile(files.keyFile), files.trustFile];
    if (store.startsWith('sqlite:')) written.push(`${files.storeDir}/ledger.sqlite`);
    expect(written.map(inContainer).filter((path) => !onVolume(path))).toEqual([]);
  });

  it('runs serve as an unprivileged user who owns every volume', () => {
    const user = argsOf('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const chowned = argsOf('RUN').flatMap((run) => [...run.matchAll(/chown (\S+) ((?:\/\S+ ?)+)/g)].filter((m) => m[1].split(':')[0] === user).flatMap((m) => m[2].trim().split(' ')));
    expect(volumes.filter((volume) => !chowned.includes(volume))).toEqual([]);
    expect((JSON.parse(argsOf('CMD').at(-1) ?? '[]') as string[]).join(' ')).toMatch(/^sh -c exec node bin\/trial-ledger\.js serve --port "\$PORT" --host "\$HOST"$/);
  });
});
