import { DomainError } from '@trial-ledger/domain';
import { unsafeSqliteSidePath } from '@trial-ledger/event-store';

/** Refuses a read-model file (or its WAL or shared-memory file) that is a symlink or not a regular file, rather than writing through it. */
export const assertPlainSideFile = (file: string): void => {
  const path = unsafeSqliteSidePath(file);
  if (path !== null) {
    throw new DomainError('READ_MODELS.FILE_UNSAFE', `${path} is not a regular file (a symlink or other): read models are not kept there; remove it and start again`, 'conflict', { path });
  }
};
