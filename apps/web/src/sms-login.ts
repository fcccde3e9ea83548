import type { VerifyCodeResponse } from '@keyway/protocol';
import { useState } from 'react';
import type { z } from 'zod';

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** What a signed-in app keeps of `POST /v1/auth/verify`. */
export interface SignedIn {
  token: string;
  sessionId: string;
  user: z.infer<typeof VerifyCodeResponse>['user'];
}

/**
 * SMS sign-in as both apps do it (phone number, then the 6-digit code; no passwords): the two
 * calls, and one request at a time with its error in the reader's words. Each app keeps its
 * own form.
 */
export function useSmsLogin(api: Api, describe: (e: unknown) => string) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  const requestCode = (phone: string) =>
    api<unknown>('POST', '/v1/auth/code', { phone });
  const verifyCode = async (
    phone: string,
    code: string,
    deviceName: string,
  ): Promise<SignedIn> => {
    const res = await api<z.infer<typeof VerifyCodeResponse>>(
      'POST',
      '/v1/auth/verify',
      { phone, code, deviceName },
    );
    return { token: res.token, sessionId: res.session.id, user: res.user };
  };
  return { busy, error, run, requestCode, verifyCode };
}
