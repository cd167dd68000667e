// A thread that verifies batches of Ed25519 signatures (signature-verifier.ts).
// It holds no state: each message is answered on its own.

import { parentPort } from 'node:worker_threads';
import { verifyCheck, type VerifyReply, type VerifyRequest } from './signature-verifier';

parentPort!.on('message', (request: VerifyRequest) => {
  const checks = Array.isArray(request.checks) ? request.checks : [];
  const valid = checks.map((check) => {
    try {
      return verifyCheck(check);
    } catch {
      return false;
    }
  });
  parentPort!.postMessage({ id: request.id, valid } satisfies VerifyReply);
});
