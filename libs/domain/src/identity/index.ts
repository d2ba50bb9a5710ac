export * from './identity.events';
export * from './identity.decider';
export * from './signature';
export * from './identity-refusal';
export * from './identity-input';
export * from './account-policy';
