import 'reflect-metadata';
import { runCli } from './program';

void runCli(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
