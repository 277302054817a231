/** The `{Error, Cause}` a Catch puts into the state (`ResultPath: $.failure`). */
export interface CaughtFailure {
  readonly Error?: string;
  readonly Cause?: string;
}

const PLAIN: Readonly<Record<string, string>> = {
  'States.Timeout': 'a step timed out',
  'States.TaskFailed': 'a step failed',
  'States.HeartbeatTimeout': 'a step stopped reporting',
};

/**
 * A one-line reason from a caught failure. A Lambda task's Cause is the JSON of its error
 * (`{errorType, errorMessage, trace}`); only the message is kept — stack traces stay in the logs.
 */
export function reasonFrom(failure: CaughtFailure | undefined, context?: { approvalPending?: boolean }): string {
  if (!failure) return 'unknown failure';
  const error = failure.Error ?? 'Error';
  if (error === 'States.Timeout' && context?.approvalPending) return 'approval was not given in time';
  let message = failure.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown; message?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
    else if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not JSON: a plain cause (SendTaskFailure, a States.* error).
  }
  message = message.trim().slice(0, 1000);
  const plain = PLAIN[error];
  if (!message) return plain ?? error;
  return `${plain ?? error}: ${message}`;
}
