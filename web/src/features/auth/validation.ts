export type FieldErrors<K extends string> = Partial<Record<K, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateEmail(email: string): string | undefined {
  const value = email.trim();
  if (!value) return "Enter your e-mail address.";
  if (value.length > 254 || !EMAIL.test(value)) return "Enter a valid e-mail address, like name@example.com.";
  return undefined;
}

export function validateLogin(values: { email: string; password: string }): FieldErrors<"email" | "password"> {
  const errors: FieldErrors<"email" | "password"> = {};
  const email = validateEmail(values.email);
  if (email) errors.email = email;
  if (!values.password) errors.password = "Enter your password.";
  else if (values.password.length > 128) errors.password = "A password has at most 128 characters.";
  return errors;
}

export type RegisterField = "email" | "password" | "confirm" | "display_name";

export function validateRegistration(values: Record<RegisterField, string>): FieldErrors<RegisterField> {
  const errors: FieldErrors<RegisterField> = {};
  const email = validateEmail(values.email);
  if (email) errors.email = email;
  Object.assign(errors, validateNewPassword(values));
  if (values.display_name.trim().length > 100) errors.display_name = "Use at most 100 characters.";
  return errors;
}

/** The rules of a new password (registration, reset), as the API counts them; the common-password check is the API's. */
export function validateNewPassword(values: { password: string; confirm: string }): FieldErrors<"password" | "confirm"> {
  const errors: FieldErrors<"password" | "confirm"> = {};
  const length = [...values.password].length;
  if (length < 8) errors.password = "Use at least 8 characters.";
  else if (length > 128) errors.password = "Use at most 128 characters.";
  else if (!values.password.trim()) errors.password = "Use other characters than spaces too.";
  if (!errors.password && values.confirm !== values.password) errors.confirm = "The passwords do not match.";
  return errors;
}

/** What a new password's field says under it, on registration and on reset alike. */
export const NEW_PASSWORD_HINT = "8 to 128 characters; not a common password, not your e-mail address.";
