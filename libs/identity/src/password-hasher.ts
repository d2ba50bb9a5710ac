import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ScryptParameters } from './identity-policy';

/**
 * scrypt (RFC 7914), memory-hard, from `node:crypto`. Stored as a PHC-style string that names the
 * algorithm and its parameters, so hashes made under older parameters still verify:
 * `$scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>`.
 */
const scryptAsync = (password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

const maxmem = (cost: number, blockSize: number, parallelization: number): number => 256 * cost * blockSize * parallelization + 16 * 1024 * 1024;

export const hashPassword = async (password: string, params: ScryptParameters): Promise<string> => {
  const salt = randomBytes(params.saltLength);
  const { cost: N, blockSize: r, parallelization: p } = params;
  const key = await scryptAsync(password.normalize('NFC'), salt, params.keyLength, { N, r, p, maxmem: maxmem(N, r, p) });
  return `$scrypt$ln=${Math.log2(N)},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
};

/** Constant-time comparison; false (never an exception) for a malformed stored hash. */
export const verifyPassword = async (password: string, phc: string): Promise<boolean> => {
  const m = PHC.exec(phc);
  if (!m) return false;
  const [N, r, p] = [2 ** Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4], 'base64');
  const expected = Buffer.from(m[5], 'base64');
  const key = await scryptAsync(password.normalize('NFC'), salt, expected.length, { N, r, p, maxmem: maxmem(N, r, p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
};
