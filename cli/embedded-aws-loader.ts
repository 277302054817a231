import packageJson from '../package.json' with { type: 'json' };

/**
 * The embedded AWS's own dependencies (dynalite, aws-local-stepfunctions, …) are optional
 * dependencies of the package: `npm install --omit=optional` leaves them out for a user who only
 * deploys (and npm skips them on a Node.js their `engines` refuse). Only `fledge local`, `fledge
 * local-aws` and `fledge demo` need them.
 */
export class EmbeddedAwsNotInstalledError extends Error {
  override readonly name = 'EmbeddedAwsNotInstalledError';

  constructor(readonly command: string, readonly missing: readonly string[]) {
    super(`${command} needs the embedded AWS, whose packages this installation of ${packageJson.name} does not have: ${missing.join(', ')}. npm leaves them out when installing with --omit=optional, or on a Node.js that is not ${packageJson.engines.node} (this is ${process.version}). Install ${packageJson.name} again without --omit=optional on such a Node.js (npm install ${packageJson.name}) to use it; deploy, plan, validate and the other commands work without it.`);
  }
}

/** The optional dependencies this installation cannot resolve, by package name. */
export function missingEmbeddedAwsPackages(resolve: (name: string) => unknown = defaultResolve): string[] {
  return Object.keys(packageJson.optionalDependencies).filter((name) => {
    try {
      resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * Loads the code of a command that runs the embedded AWS, after checking that its packages are
 * installed. The code comes in by dynamic `import()`, so the bundled CLI keeps it in a chunk of its
 * own that no other command loads, and a deploy-only installation never touches it.
 */
export async function loadEmbeddedAws<T>(command: string, load: () => Promise<T>): Promise<T> {
  const missing = missingEmbeddedAwsPackages();
  if (missing.length > 0) throw new EmbeddedAwsNotInstalledError(command, missing);
  return load();
}

function defaultResolve(name: string): unknown {
  // Resolved from the bundled CLI's folder, as its own imports are. Test runners that run the
  // sources without `import.meta.resolve` find the packages of the checkout anyway.
  return typeof import.meta.resolve === 'function' ? import.meta.resolve(name) : name;
}
