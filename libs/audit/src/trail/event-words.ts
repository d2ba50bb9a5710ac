/**
 * An event type in words for a monitor ("DoseAdministered" → "Dose administered"). The `type` string
 * stays in every row too: it is the permanent storage contract, the words are for reading.
 */
const OVERRIDES: Readonly<Record<string, string>> = {
  EntryCorrected: 'Entry corrected',
  EntryVoided: 'Entry voided (entered in error)',
  CasebookSigned: 'Casebook signed (electronic signature)',
  RecordSigned: 'Record signed (electronic signature)',
  SubjectScreenFailed: 'Screen failure',
  LoginFailed: 'Login failed',
  AccountPolicyChanged: 'Account policy changed (configuration at server start)',
  ProtocolDeviationDetected: 'Protocol deviation detected by the system',
  QueryOpened: 'Query opened',
  QueryResponded: 'Query answered by the site',
  QueryClosed: 'Query closed',
  QueryReopened: 'Query reopened',
  QueryCancelled: 'Query cancelled (opened in error)',
  RecordSourceVerified: 'Source data verified',
};

export const eventTypeInWords = (type: string): string => {
  // Own entries only: a type read from a store such as `constructor` or `__proto__` is not the table's.
  const override = Object.hasOwn(OVERRIDES, type) ? OVERRIDES[type] : undefined;
  if (override) return override;
  const words = type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(' ');
  return words.map((w, i) => (i === 0 || /^[A-Z]{2,}$/.test(w) ? w : w.toLowerCase())).join(' ');
};
