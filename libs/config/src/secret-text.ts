/** Passwords in connection URLs (`postgres://user:secret@host`, `postgres://:secret@host`) and secret query parameters, in any text. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;
const SECRET_PARAMETER = /([?&][^=\s&]*(?:pass|secret|token)[^=\s&]*=)[^&\s]+/gi;

/** An error's text with every password or secret parameter it may carry replaced: what a log line may show of it. */
export const withoutSecrets = (text: string): string => text.replace(URL_PASSWORD, '$1redacted@').replace(SECRET_PARAMETER, '$1redacted');

/** Whether a text carries a password or secret parameter that `withoutSecrets` would hide (a store URL typed on a command line). */
export const holdsSecret = (text: string): boolean => withoutSecrets(text) !== text;

/**
 * What a log line says of an error behind a 5xx or a background failure: its type and its message without
 * secrets, never its stack (a log is read by more people than the code, and the code names the fault).
 */
export const loggedError = (error: unknown): { readonly type: string; readonly message: string } =>
  error instanceof Error ? { type: error.name, message: withoutSecrets(error.message) } : { type: typeof error, message: withoutSecrets(String(error)) };
