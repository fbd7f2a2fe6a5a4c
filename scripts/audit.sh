#!/usr/bin/env bash
# Supply-chain and code scans, the same for people and CI (`make audit`, ci.yml's scans job):
#
#   1. bandit over functions/ cdk/ knative/ scripts/ with pyproject.toml's [tool.bandit]: fails on
#      any finding of medium or high severity, at any confidence; low ones are listed for review.
#   2. pip-audit over requirements.txt (what the image installs) and requirements-dev.txt, transitive
#      dependencies included. --strict: a dependency the vulnerability service cannot look up fails
#      the run instead of being skipped. PIP_AUDIT_VULNERABILITY_SERVICE=osv picks OSV over PyPI.
#   3. npm audit of the SPA's runtime dependencies (web/package-lock.json; node_modules is not
#      needed): fails on high or critical. The whole tree, dev tools included, is listed for review.
#
# 2 and 3 ask online vulnerability services, and a service that cannot be reached fails the run.
# AUDIT_OFFLINE=1 skips them, and says so, on a machine without those services; bandit always runs.
# Every check runs; the exit status is 1 when any of them failed.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
BANDIT_TARGETS=(functions cdk knative scripts)

failed=()
section() { printf '\n== %s\n' "$*"; }

for tool in bandit pip-audit; do
  if [[ ! -x $BIN/$tool ]]; then
    echo "audit: $BIN/$tool is missing: run \`make audit\` (it installs requirements-dev.txt)" >&2
    exit 2
  fi
done

# --- 1. bandit ------------------------------------------------------------------------------
section "bandit $("$BIN/bandit" --version | awk 'NR == 1 {print $2}'): ${BANDIT_TARGETS[*]}"
bandit_config=(-c pyproject.toml)
bandit_format=(--format custom --msg-template '{relpath}:{line}: {test_id} [{severity}/{confidence}] {msg}')
echo "Every finding (low severity ones are for review and do not fail):"
"$BIN/bandit" "${bandit_config[@]}" --quiet --recursive "${BANDIT_TARGETS[@]}" "${bandit_format[@]}" \
  --severity-level low --exit-zero | sed 's/^/  /'
echo "Medium and high severity (these fail):"
if "$BIN/bandit" "${bandit_config[@]}" --quiet --recursive "${BANDIT_TARGETS[@]}" "${bandit_format[@]}" \
  --severity-level medium | sed 's/^/  /'; then
  echo "  none"
else
  failed+=("bandit")
fi

if [[ ${AUDIT_OFFLINE:-0} == 1 ]]; then
  section "AUDIT_OFFLINE=1: pip-audit and npm audit NOT run (they need online vulnerability services)"
else
  # --- 2. pip-audit -------------------------------------------------------------------------
  for requirements in requirements.txt requirements-dev.txt; do
    section "pip-audit $("$BIN/pip-audit" --version | awk '{print $2}'): $requirements"
    if ! "$BIN/pip-audit" --requirement "$requirements" --strict --desc on --progress-spinner off; then
      failed+=("pip-audit $requirements")
    fi
  done

  # --- 3. npm audit -------------------------------------------------------------------------
  if [[ ! -f web/package-lock.json ]]; then
    section "npm audit: no web/package-lock.json, nothing to audit"
  elif ! command -v npm >/dev/null; then
    section "npm audit: npm is not installed"
    failed+=("npm audit --omit=dev (no npm)")
  else
    section "npm audit (npm $(npm --version)): web/ runtime dependencies, fails on high or critical"
    if ! (cd web && npm audit --omit=dev --audit-level=high); then
      failed+=("npm audit --omit=dev")
    fi
    section "npm audit: web/ including dev dependencies, for review (does not fail)"
    (cd web && npm audit) || true
  fi
fi

echo
if ((${#failed[@]})); then
  printf 'audit: FAILED: %s\n' "${failed[@]}" >&2
  if [[ " ${failed[*]} " == *" pip-audit "* || " ${failed[*]} " == *" npm "* ]]; then
    echo "audit: pip-audit's \"Dependency not found on PyPI\" for a published package, or npm's \"audit" \
      "endpoint returned an error\", means the vulnerability service is out of reach, not a finding;" \
      "AUDIT_OFFLINE=1 runs bandit alone" >&2
  fi
  exit 1
fi
if [[ ${AUDIT_OFFLINE:-0} == 1 ]]; then
  echo "audit: bandit passed; the dependency audits were skipped (AUDIT_OFFLINE=1)"
else
  echo "audit: passed (bandit, pip-audit, npm audit)"
fi
