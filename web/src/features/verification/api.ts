/**
 * E-mail verification: an account proves it holds its address by following a link mailed
 * to it. Accepting an invitation needs a verified address.
 */
import { api } from "../../api/client";
import { problemOf } from "../../api/problem";
import type { User } from "../../lib/session/api";

/** The user as GET /api/auth/me describes it, with whether the address is verified. */
export type VerifiableUser = User & { email_verified?: boolean };

/** True only when the server said the address is not verified (older answers say nothing). */
export function isEmailUnverified(user: User | null): boolean {
  return (user as VerifiableUser | null)?.email_verified === false;
}

/** The change that marks the logged-in user's address as verified (for AuthProvider.updateUser). */
export const VERIFIED: Partial<VerifiableUser> = { email_verified: true };

/** Mails the logged-in user a new link; resolves to the address it went to. */
export async function requestVerification(): Promise<string> {
  const { data } = await api.post<{ email: string }>("/auth/verification");
  return data.email;
}

/** Proves the address the token was mailed to; resolves to that address. No login needed. */
export async function verifyEmail(token: string): Promise<string> {
  const { data } = await api.post<{ email: string; email_verified: boolean }>("/auth/verify-email", { token }, {
    skipAuthRefresh: true,
  });
  return data.email;
}

/** Whether a refused request was refused because the caller's address is not verified yet. */
export function needsVerification(error: unknown): boolean {
  const problem = problemOf(error) as { status?: number; reason?: unknown } | null;
  return problem?.status === 403 && problem.reason === "email-unverified";
}
