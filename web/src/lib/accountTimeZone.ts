/**
 * The account's time zone, as far as this browser knows it: GET /api/auth/me does not
 * carry it, so it is learnt from the settings page (PATCH /api/auth/me answers with the
 * whole profile). Until then the browser's own time zone stands in.
 */
let accountTimeZone: string | null = null;

export function rememberAccountTimeZone(timezone: string | null | undefined): void {
  if (timezone) accountTimeZone = timezone;
}

export function defaultTimeZone(): string {
  return accountTimeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
}

export function forgetAccountTimeZone(): void {
  accountTimeZone = null;
}
