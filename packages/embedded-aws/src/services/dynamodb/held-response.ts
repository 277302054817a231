import type { ServerResponse } from 'node:http';

/**
 * Stands in for the response while dynalite answers, keeping what it writes so the answer can be
 * sent later. dynalite writes its responses with `statusCode`, `setHeader` and `end` only.
 */
export class HeldResponse {
  statusCode = 200;
  /** dynalite keeps the negotiated content type here before setting the header. */
  contentType: string | undefined;
  private readonly headers = new Map<string, string | number | readonly string[]>();
  private body: Buffer = Buffer.alloc(0);
  private resolveEnded!: () => void;
  /** Resolves when dynalite has written the whole answer. */
  readonly ended = new Promise<void>((resolve) => { this.resolveEnded = resolve; });

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers.set(name, value);
    return this;
  }

  getHeader(name: string): string | number | readonly string[] | undefined {
    return this.headers.get(name);
  }

  end(chunk?: string | Buffer): this {
    if (chunk !== undefined) this.body = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, 'utf8');
    this.resolveEnded();
    return this;
  }

  /** Whether dynalite answered with success. */
  get succeeded(): boolean {
    return this.statusCode >= 200 && this.statusCode < 300;
  }

  /** Sends what dynalite wrote to the real response. */
  sendTo(response: ServerResponse): void {
    response.statusCode = this.statusCode;
    for (const [name, value] of this.headers) response.setHeader(name, value);
    response.end(this.body);
  }
}
