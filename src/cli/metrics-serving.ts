/**
 * How `run` serves /metrics: by default plain HTTP to anyone who reaches the port; with
 * --metrics-secure, HTTPS (the certificate of --metrics-cert-dir, reloaded when renewed, or a
 * self-signed one made at start) and only to callers the API server says may `get` /metrics.
 */
import { createSecureContext } from 'node:tls';
import type { Logger } from '../observability/log.js';
import type { HealthServerOptions, RunningHealthServer } from '../observability/health.js';
import { kubeRequestAuthorizer, type ApiServerRequester } from '../observability/request-authorizer.js';
import { readCertificateDir, selfSignedCertificate, watchCertificateDir, type ServingCertificate } from '../observability/serving-certificate.js';

export interface MetricsServingOptions {
  metricsSecure?: boolean;
  metricsCertDir?: string;
}

export interface MetricsServing {
  /** For startHealthServer. */
  server: Pick<HealthServerOptions, 'tls' | 'authorizeMetrics'>;
  /** Keeps the server's certificate in step with --metrics-cert-dir; answers a function that stops. */
  follow(server: RunningHealthServer): () => void;
}

/** The serving set-up the flags ask for, or what is wrong with them. */
export async function metricsServingOf(options: MetricsServingOptions, client: ApiServerRequester, logger: Logger): Promise<MetricsServing | string> {
  const { metricsSecure, metricsCertDir } = options;
  if (!metricsSecure) {
    if (metricsCertDir) return '--metrics-cert-dir needs --metrics-secure';
    return { server: {}, follow: () => () => undefined };
  }
  let tls: ServingCertificate;
  if (metricsCertDir) {
    try {
      tls = readCertificateDir(metricsCertDir);
      createSecureContext(tls);
    } catch (error) {
      return `--metrics-cert-dir: ${(error as Error).message}`;
    }
  } else {
    tls = await selfSignedCertificate();
    logger.info('Serving metrics with a self-signed certificate made at start; give --metrics-cert-dir for one clients can verify');
  }
  const authorizeMetrics = kubeRequestAuthorizer(client, { onError: (error) => logger.warn('Could not check a request for /metrics', { error }) });
  return {
    server: { tls, authorizeMetrics },
    follow: (server) => {
      if (!metricsCertDir) return () => undefined;
      return watchCertificateDir(metricsCertDir, {
        serving: tls,
        onChange: (certificate) => {
          server.setCertificate(certificate);
          logger.info('Serving metrics with the renewed certificate', { certDir: metricsCertDir });
        },
        onError: (error) => logger.warn('Could not load the renewed metrics certificate; serving the previous one', { certDir: metricsCertDir, error: error.message }),
      });
    },
  };
}
