/**
 * Every file the CLI creates — the SQLite store and its `-wal`/`-shm`, the read-model file, the
 * checkpoint file, the key, every export — holds clinical data or guards it, so none is readable by
 * group or others: the process umask gains 077 (0600 files, 0700 directories) unless the user's own
 * umask is stricter already. Set once, in the binary's entry point, before anything is opened.
 */
export const restrictFileModes = (): void => {
  const current = process.umask(0o077);
  process.umask(current | 0o077);
};
