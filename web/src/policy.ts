// The server's upload settings, asked for once per sign-in; the defaults stand in until then,
// and for a server that cannot tell them (one from before `GET /api/uploads/policy`).
import { reactive } from 'vue';
import { getUploadPolicy } from './api';
import { DEFAULT_UPLOAD_POLICY, isUploadPolicy, type UploadPolicy } from './lib/uploadPolicy';

export const uploadPolicy = reactive<{ value: UploadPolicy; fromServer: boolean }>({
  value: { ...DEFAULT_UPLOAD_POLICY, types: [...DEFAULT_UPLOAD_POLICY.types] },
  fromServer: false,
});

let asked: Promise<void> | null = null;

/** Asks the server for its upload settings, once; a failure keeps the defaults (and asks again next time). */
export function loadUploadPolicy(): Promise<void> {
  if (uploadPolicy.fromServer) return Promise.resolve();
  asked ??= (async () => {
    try {
      const answer = await getUploadPolicy();
      if (isUploadPolicy(answer)) {
        uploadPolicy.value = { maxBytes: answer.maxBytes, types: [...answer.types] };
        uploadPolicy.fromServer = true;
      }
    } catch {
      // An older server has no such route (404): its defaults are the ones above, so nothing is lost.
    } finally {
      asked = null;
    }
  })();
  return asked;
}
