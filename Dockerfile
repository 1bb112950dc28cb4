# Crossties server image: `crossties serve` on port 3978 as a non-root user.
# Build: docker build -t crossties .    Run with PostgreSQL: docker compose up (compose.yaml)

# --- build stage: a virtual environment with the locked dependencies and the project --------
FROM python:3.11-slim AS build
ENV VIRTUAL_ENV=/opt/venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1
WORKDIR /src
COPY requirements-build.lock requirements.lock ./
RUN pip install --require-hashes -r requirements-build.lock
RUN python -m venv --without-pip "$VIRTUAL_ENV"
RUN uv pip install --python "$VIRTUAL_ENV/bin/python" --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY crossties ./crossties
COPY prompts ./prompts
RUN uv pip install --python "$VIRTUAL_ENV/bin/python" --no-deps .

# --- runtime stage: the environment only, no build tools ------------------------------------
FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /home/crossties crossties
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    MPLBACKEND=Agg \
    CROSSTIES_HOST=0.0.0.0 \
    CROSSTIES_PORT=3978
USER crossties
WORKDIR /home/crossties
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('CROSSTIES_PORT', '3978'), timeout=4)"]
ENTRYPOINT ["crossties"]
CMD ["serve"]
