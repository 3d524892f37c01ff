/**
 * The certificate the operator serves HTTPS with: read from a directory holding tls.crt and tls.key (a
 * mounted kubernetes.io/tls Secret, as controller-runtime's CertDir), and read again when they change
 * (cert-manager renews them in place); or, without one, a self-signed certificate made at start.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** PEM text. */
export interface ServingCertificate {
  cert: string;
  key: string;
}

export const CERT_FILE = 'tls.crt';
export const KEY_FILE = 'tls.key';

export function readCertificateDir(dir: string): ServingCertificate {
  const read = (file: string) => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${join(dir, file)}: ${(error as Error).message}`, { cause: error });
    }
  };
  return { cert: read(CERT_FILE), key: read(KEY_FILE) };
}

export interface CertificateDirWatch {
  /** The certificate served now, so that only a different one is reported. */
  serving: ServingCertificate;
  onChange(certificate: ServingCertificate): void;
  onError(error: Error): void;
  intervalMs?: number;
}

/**
 * Calls `onChange` with the directory's certificate whenever tls.crt or tls.key changes, polling their
 * status (a Secret volume swaps a symlink, which file events do not reliably report); a pair that
 * cannot be read, or is refused by `onChange`, goes to `onError`. Answers a function that stops watching.
 */
export function watchCertificateDir(dir: string, watch: CertificateDirWatch): () => void {
  const files = [CERT_FILE, KEY_FILE].map((f) => join(dir, f));
  let last = watch.serving;
  const check = () => {
    let current: ServingCertificate;
    try {
      current = readCertificateDir(dir);
    } catch (error) {
      return watch.onError(error as Error);
    }
    if (current.cert === last.cert && current.key === last.key) return;
    try {
      watch.onChange(current);
      last = current;
    } catch (error) {
      watch.onError(error as Error);
    }
  };
  for (const file of files) watchFile(file, { interval: watch.intervalMs ?? 10_000, persistent: false }, check);
  return () => {
    for (const file of files) unwatchFile(file, check);
  };
}

/** A self-signed P-256 certificate for this host and loopback, valid for a year. */
export async function selfSignedCertificate(): Promise<ServingCertificate> {
  // Loaded only here: the X.509 libraries behind it cost every other command and an operator that is given a certificate.
  const { generate } = await import('selfsigned');
  const names = [...new Set([hostname(), 'localhost'])].filter((n) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/i.test(n));
  const pems = await generate([{ name: 'commonName', value: 'agentcore-operator' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...names.map((value) => ({ type: 2 as const, value })), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
