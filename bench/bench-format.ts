import type { Actor } from '@trial-ledger/domain';

export interface BenchLine {
  readonly name: string;
  readonly value: string;
}

export const benchActor: Actor = { userId: 'bench', username: 'bench', fullName: 'Benchmark Runner', role: 'coordinator' };

export const formatRate = (perSecond: number, unit: string): string => `${Math.round(perSecond).toLocaleString('en-US')} ${unit}`;

export const printLines = (title: string, lines: readonly BenchLine[]): void => {
  const width = Math.max(...lines.map((l) => l.name.length));
  process.stdout.write(`\n${title}\n`);
  for (const line of lines) process.stdout.write(`  ${line.name.padEnd(width)}  ${line.value}\n`);
};
