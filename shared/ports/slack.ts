/** A Block Kit block as fledge uses them (header, section, actions, context). */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: PlainText }
  | { readonly type: 'section'; readonly text?: Mrkdwn; readonly fields?: readonly Mrkdwn[] }
  | { readonly type: 'actions'; readonly elements: readonly SlackButton[] }
  | { readonly type: 'context'; readonly elements: readonly Mrkdwn[] };

/** Plain text, as Slack shows it. */
export interface PlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}
/** Slack mrkdwn text. */
export interface Mrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
  /** true: Slack turns no bare URL into a link and parses no `@channel` or `#channel` in the text. */
  readonly verbatim?: boolean;
}
/** A link button: Slack opens the URL in a browser, which shows fledge's confirmation page. */
export interface SlackButton {
  readonly type: 'button';
  readonly text: PlainText;
  readonly url: string;
  readonly action_id: string;
  readonly style?: 'primary' | 'danger';
}

/** An incoming-webhook message: `text` is the notification fallback, `blocks` the layout. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/**
 * Where Slack messages go: an incoming webhook on AWS (`shared/adapters/slack-webhook.ts`), a
 * stand-in in tests. A refusal that no retry can change is `AwsCallFailedError`; a 429 or 5xx is
 * `TransientAwsError`, so the SNS delivery retries.
 */
export interface SlackPoster {
  post(message: SlackMessage): Promise<void>;
}
