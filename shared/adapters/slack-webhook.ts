import { AwsCallFailedError, TransientAwsError } from '../model/engine-errors';
import type { SlackMessage, SlackPoster } from '../ports/slack';

/** How long a post to Slack may take before it counts as failed (and is retried by SNS). */
const TIMEOUT_MS = 10_000;

/**
 * Posts messages to a Slack incoming webhook. The webhook URL is a secret: it never appears in
 * an error message. 429 and 5xx are transient (the SNS→Lambda delivery retries), other
 * refusals are permanent (a revoked webhook, a malformed message).
 */
export class SlackWebhook implements SlackPoster {
  constructor(private readonly url: () => Promise<string>) {}

  async post(message: SlackMessage): Promise<void> {
    const url = await this.url();
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(message), signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw new TransientAwsError(`posting to the Slack webhook failed: ${(error as Error).name}`, { cause: error });
    }
    const text = (await response.text()).slice(0, 200);
    if (response.status === 429 || response.status >= 500) throw new TransientAwsError(`the Slack webhook answered ${response.status}: ${text}`);
    if (!response.ok) throw new AwsCallFailedError(`the Slack webhook refused the message with ${response.status}: ${text}`);
  }
}
