import { api } from "../../api/client";

/** Asks for a reset link by e-mail. The API answers the same whether or not the account exists. */
export async function requestPasswordReset(email: string): Promise<void> {
  await api.post("/auth/password-reset", { email }, { skipAuthRefresh: true });
}

/** Sets a new password with the token from the e-mailed link; every session of the account ends. */
export async function resetPassword(token: string, newPassword: string): Promise<void> {
  await api.post(`/auth/password-reset/${encodeURIComponent(token)}`, { new_password: newPassword }, { skipAuthRefresh: true });
}
