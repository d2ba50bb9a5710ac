export * from './demo-random';
export * from './demo-scenario.generator';
export * from './demo-users';
export * from './demo-runner';
export * from './demo-signatures';
