/**
 * Why S3 would refuse `name` for a new general purpose bucket, or undefined when it is valid:
 * 3 to 63 characters of lower-case letters, digits, dots and hyphens, starting and ending with a
 * letter or digit, no two dots in a row, not an IP address, none of the reserved prefixes and
 * suffixes. (Names are also safe directory names: no slash, never `.` or `..`.)
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `a bucket name must be 3 to 63 characters long, this one has ${name.length}`;
  if (!/^[a-z0-9.-]+$/.test(name)) return 'a bucket name can contain only lower-case letters, digits, dots (.) and hyphens (-)';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'a bucket name must begin and end with a letter or a digit';
  if (name.includes('..')) return 'a bucket name must not contain two adjacent dots';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'a bucket name must not be formatted as an IP address';
  const prefix = ['xn--', 'sthree-', 'amzn-s3-demo-'].find((reserved) => name.startsWith(reserved));
  if (prefix) return `a bucket name must not start with the reserved prefix '${prefix}'`;
  const suffix = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'].find((reserved) => name.endsWith(reserved));
  if (suffix) return `a bucket name must not end with the reserved suffix '${suffix}'`;
  return undefined;
}
