# syntax=docker/dockerfile:1
# barber: the web app's build and the release binary, on a small non-root runtime image.
#   docker build -t barber .
#   docker run barber all        (or command, query, relay, project, remind, migrate, …)

# -- the web app (web/dist), from its lockfile
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# -- the binary (migrations are compiled in)
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p barber \
    && cp target/release/barber /usr/local/bin/barber

# -- the runtime: Debian slim, a user with no login, nothing writable but /tmp
FROM debian:bookworm-slim
ARG VERSION=dev
LABEL org.opencontainers.image.title="barber" \
      org.opencontainers.image.description="Booking and CRM for barbershops: every role in one binary" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/barber/barber"
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin barber
COPY --from=build /usr/local/bin/barber /usr/local/bin/barber
COPY --from=web /src/web/dist /app/web/dist
ENV WEB_DIR=/app/web/dist \
    BIND=0.0.0.0:8080 \
    LOG_FORMAT=json
USER 10001:10001
WORKDIR /app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/livez || exit 1
ENTRYPOINT ["barber"]
CMD ["all"]
