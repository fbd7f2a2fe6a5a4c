-- Extensions the schema builds on: case-insensitive e-mail addresses and trigram search.
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
