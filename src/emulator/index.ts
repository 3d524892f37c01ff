/** The emulator as the CLI starts it: every emulated service on one port. */
import { agentCoreService } from './agentcore/index.js';
import { ecrService } from './ecr/index.js';
import { iamService } from './iam/index.js';
import { s3Service } from './s3/index.js';
import { secretsManagerService } from './secretsmanager/index.js';
import { stsService } from './sts/index.js';
import { taggingService } from './tagging/index.js';
import type { EmulatedService } from './service.js';

export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server.js';
export type { EmulatorConfig } from './config.js';

export function defaultServices(): EmulatedService[] {
  return [agentCoreService(), iamService(), ecrService(), s3Service(), stsService(), taggingService(), secretsManagerService()];
}
