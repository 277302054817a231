/**
 * A dropped spec object as read: its bytes, too large to read, or unreadable — S3 answered 404 or
 * 403, which it does for a missing key to a reader without `s3:ListBucket`, so the two are one.
 */
export type SpecObject = { readonly kind: 'read'; readonly body: Uint8Array } | { readonly kind: 'tooLarge'; readonly size: number } | { readonly kind: 'unreadable'; /** What S3 answered, in words. */ readonly detail: string };

/** Reads dropped spec objects (GetObject on AWS: `readSpecObject` in `shared/adapters/s3-artifacts.ts`). */
export interface SpecObjects {
  /** The object's bytes, refused unread above the spec reader's limit. Throttling and 5xx are `TransientAwsError`. */
  readSpec(object: { bucket: string; key: string; versionId?: string }): Promise<SpecObject>;
}
