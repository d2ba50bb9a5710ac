export * from './demo-random';
export * from './demo-scenario.generator';
