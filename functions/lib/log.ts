import { sanitise } from '../../shared/domain/text/sanitise';

/**
 * One JSON line per log entry (CloudWatch Logs Insights reads the fields). Callers pass facts,
 * never whole events: an approval task's event carries its task token, which must stay out of logs.
 */
export const log = {
  info: (message: string, fields: Record<string, unknown> = {}) => write('INFO', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write('WARN', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write('ERROR', message, fields),
};

function write(level: string, message: string, fields: Record<string, unknown>): void {
  if (process.env.FLEDGE_LOG === 'off') return;
  // Fields quote untrusted text (keys, error messages); read with `aws logs tail` or printed by
  // `fledge local --verbose`, the line must not carry raw C1, bidi or zero-width characters.
  console.log(sanitise(JSON.stringify({ level, message, ...fields, timestamp: new Date().toISOString() })));
}
