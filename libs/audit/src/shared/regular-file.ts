import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { DomainError } from '@trial-ledger/domain';

/**
 * Reads a file an auditor names (a kept checkpoint file, a trusted public key) only if it is a regular
 * file of at most `maxBytes`. It is opened without waiting for a FIFO's writer (O_NONBLOCK) and checked on
 * the open descriptor, so a directory, a device such as `/dev/zero` or a named pipe is refused with
 * `code` at once — never read forever, never reported as a raw EISDIR.
 */
export const readRegularFile = (file: string, maxBytes: number, code: string, what: string): Buffer => {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new DomainError(code, `${file} cannot be read as ${what} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'validation', { path: file });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new DomainError(code, `${file} is not ${what}: not a regular file`, 'validation', { path: file });
    if (stat.size > maxBytes) throw new DomainError(code, `${file} is not ${what}: larger than ${maxBytes} bytes`, 'validation', { path: file, size: stat.size });
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
};
