import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { sanitise } from '../../shared/text/sanitise';

/**
 * Powertools' Logger with fledge's two guarantees on top, kept at the one place every line
 * passes through:
 * - the line is sanitised whole: fields quote untrusted text (S3 keys, error messages from
 *   hooks), and read with `aws logs tail` or printed by `fledge local --verbose` a line must not
 *   carry raw C1, bidi or zero-width characters (`JSON.stringify` leaves them raw). Escaped inside
 *   the JSON, the line still parses back to exactly what was logged;
 * - `FLEDGE_LOG=off` silences it, read per line (tests and local mode set it after loading).
 *
 * Lines are written to stdout unprefixed, one JSON object each, as Powertools does: the runtime's
 * patched `console` would put a text prefix before the JSON.
 */
class FledgeLogger extends Logger {
  protected override printLog(_level: number, item: LogItem): void {
    if (process.env.FLEDGE_LOG === 'off') return;
    item.prepareForPrint();
    process.stdout.write(`${sanitise(JSON.stringify(item.getAttributes(), this.getJsonReplacer()))}\n`);
  }
}

/**
 * The functions' logger: one JSON line per entry with level, message, timestamp, service, and —
 * inside a handler wrapped by `taskHandler`/`httpHandler` (`injectLambdaContext`) — the function
 * name, request id, cold start and a correlation id (the deployment, or the HTTP request). The
 * level comes from `POWERTOOLS_LOG_LEVEL` (or Lambda's advanced logging controls), INFO by default.
 *
 * Callers pass facts, never whole events: an approval task's event carries its task token, which
 * must stay out of logs (the wrappers never log events, whatever `POWERTOOLS_LOGGER_LOG_EVENT` says).
 */
export const log: Logger = new FledgeLogger({ serviceName: 'fledge' });
