/** Writes one line to stdout: a JSON document with `--json`, else the human text. */
export const printResult = (json: boolean | undefined, value: unknown, human: () => string): void => {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
};
