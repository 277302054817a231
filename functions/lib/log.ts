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
  console.log(JSON.stringify({ level, message, ...fields, timestamp: new Date().toISOString() }));
}
