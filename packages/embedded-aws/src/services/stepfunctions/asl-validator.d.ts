// asl-validator 4 ships no type declarations: this is the part of its API the embedded Step Functions uses.
declare module 'asl-validator' {
  interface AslValidatorResult {
    readonly isValid: boolean;
    readonly errors: readonly Record<string, unknown>[];
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: unknown, options?: { readonly checkArn?: boolean; readonly checkPaths?: boolean }): AslValidatorResult;
  export default aslValidator;
}
