export * from './append-request';
export * from './expected-versions';
export * from './extend-chain';
export * from './idempotent-repeat';
export * from './plan-append';
