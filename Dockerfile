# One image for every TaskForge function: `python -m functions.runtime` serves the handler
# named by HANDLER (see README.md, "The runtime"). Built in two stages so the final one
# holds the interpreter, the runtime dependencies and functions/, and nothing to build with.
#
#   docker build -t taskforge .
#   docker build --build-arg BASE_IMAGE=localhost/debian-python:bookworm -t taskforge .
#
# The base must be a Debian-like image with python3 (and its venv module) on the PATH as
# `python`/`python3`; both stages use the same one, so the virtual environment built in the
# first stage finds its interpreter at the same path in the second.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# Wheels only, but for http-ece (pywebpush's encryption), which PyPI has as source alone: it is
# pure Python, so its build needs no compiler either.
COPY requirements.txt /build/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/python -m pip install --no-compile --only-binary=:all: --no-binary=http-ece -r /build/requirements.txt \
 && /opt/venv/bin/python -m pip uninstall --yes pip setuptools wheel
COPY functions/ /app/functions/
# Bytecode is compiled here, once; the read-only image never writes any. Unchecked hashes
# keep the .pyc files valid whatever timestamps the copy gives the sources.
RUN /opt/venv/bin/python -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/venv /app/functions

FROM ${BASE_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    TMPDIR=/tmp
# No pip, no bundled pip wheels, no user to log in as: only the fixed non-root UID.
RUN set -eu; \
    if python3 -m pip --version >/dev/null 2>&1; then python3 -m pip uninstall --yes pip setuptools wheel; fi; \
    python3 -c 'import ensurepip, os, shutil; shutil.rmtree(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"), ignore_errors=True)' 2>/dev/null || true; \
    rm -rf /usr/share/python-wheels /root/.cache; \
    groupadd --system --gid 10001 taskforge; \
    useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin taskforge
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
EXPOSE 8080
CMD ["python", "-m", "functions.runtime"]
