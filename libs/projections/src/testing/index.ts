export * from './ledger-scenario';
