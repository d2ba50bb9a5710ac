export * from './ledger-environment';
