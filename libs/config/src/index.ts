export * from './ledger-environment';
export * from './secret-text';
