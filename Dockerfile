# syntax=docker/dockerfile:1

# ---- build: compile TypeScript with the full dependency set ----
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY actors ./actors
RUN npm run build

# ---- runtime: compiled output and production dependencies only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /opt/policyserv
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY migrations /opt/migrations
# Commands named as in the README: `docker run ... gen_signing_keys` works because these are on PATH.
RUN printf '#!/bin/sh\nexec node /opt/policyserv/dist/src/main.js "$@"\n' > /usr/local/bin/policyserv \
 && printf '#!/bin/sh\nexec node /opt/policyserv/dist/src/cli/gen-signing-keys.js "$@"\n' > /usr/local/bin/gen_signing_keys \
 && printf '#!/bin/sh\nexec node /opt/policyserv/dist/src/cli/policyserv-check.js "$@"\n' > /usr/local/bin/policyserv-check \
 && chmod 0755 /usr/local/bin/policyserv /usr/local/bin/gen_signing_keys /usr/local/bin/policyserv-check \
 && groupadd --system policyserv && useradd --system --gid policyserv --home-dir /data policyserv \
 && mkdir -p /data && chown policyserv:policyserv /data
ENV PS_HTTP_BIND=0.0.0.0:8080 \
    PS_HTTP_METRICS_BIND=0.0.0.0:8081 \
    PS_HTTP_PPROF_BIND=0.0.0.0:8082 \
    PS_DATABASE_MIGRATIONS_DIR=/opt/migrations \
    PS_HOMESERVER_SIGNING_KEY_PATH=/data/signing.key \
    PS_HOMESERVER_EVENT_SIGNING_KEY_PATH=/data/event_signing.key \
    PS_EMBEDDED_DATABASE_DIR=/data
VOLUME ["/data"]
WORKDIR /data
USER policyserv
EXPOSE 8080 8081 8082
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:8081/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["policyserv"]
