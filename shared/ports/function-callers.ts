import type { FunctionCaller } from '../model/callers';

/**
 * Who invokes a function: its event source mappings, the statements of its resource-based
 * policies (the function's own, each alias's and each of the newest versions') and its function
 * URLs. Read-only. Adapters translate service errors like the Lambda registry does.
 */
export interface FunctionCallers {
  /**
   * Every caller of `functionName`; none when the function does not exist. Version policies are
   * read for the newest `maxVersions` versions only; `versionsNotChecked` says how many were left.
   */
  listCallers(functionName: string, options: { maxVersions: number }): Promise<{ callers: readonly FunctionCaller[]; versionsNotChecked: number }>;
}
