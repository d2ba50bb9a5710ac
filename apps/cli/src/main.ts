import 'reflect-metadata';
import { runCli } from './program';
import { restrictFileModes } from './shared/file-modes';

restrictFileModes();

void runCli(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
