import 'reflect-metadata';
import { runCli } from './program';

// Output still buffered when the reader of a pipe has gone (`| head`) fails with EPIPE after runCli
// has returned; it is dropped quietly rather than crashing with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

void runCli(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
