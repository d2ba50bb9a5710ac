export * from './verification/ledger-key';
export * from './verification/ledger-files';
export * from './verification/signed-checkpoint';
export * from './verification/ledger.verifier';
export * from './verification/checkpointing';
