"""The product's rules, one package per area of functions/<area>/; imports the platform, never a handler."""
