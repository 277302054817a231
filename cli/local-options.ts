import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';

/** `--port`: 0–65535, where 0 picks a free port. */
export const parsePort = (text: string): number => {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new InvalidArgumentError('must be a port number 0-65535 (0 picks a free one)');
  return port;
};

/** `--time-scale`: real seconds per simulated second. */
export const parseTimeScale = (text: string): number => {
  const scale = Number(text);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new InvalidArgumentError('must be a positive number: 1 is real time, 0.01 makes one simulated second last 10 ms');
  return scale;
};

/** Whether a `--host` keeps the unauthenticated local endpoints on this machine. */
export const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
