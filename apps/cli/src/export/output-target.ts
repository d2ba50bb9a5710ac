import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';

/** Where an export goes: a file (`--out FILE`, flushed and closed at the end) or stdout (left open). */
export interface OutputTarget {
  readonly stream: Writable;
  readonly toStdout: boolean;
  readonly file: string | null;
  /** Ends the file and waits until it is flushed; a no-op for stdout. */
  close(): Promise<void>;
}

export const openOutput = async (file: string | undefined): Promise<OutputTarget> => {
  if (!file || file === '-') return { stream: process.stdout, toStdout: true, file: null, close: async () => undefined };
  await mkdir(dirname(file), { recursive: true });
  const stream = createWriteStream(file, { encoding: 'utf8' });
  return {
    stream,
    toStdout: false,
    file,
    close: async () => {
      if (!stream.writableEnded) stream.end();
      await finished(stream);
    },
  };
};
