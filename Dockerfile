# Signet's container image. NOT RUN HERE: the machine this was written on has no Docker engine,
# so this file has never been built; what it does was checked piece by piece instead (the same
# `npm ci --omit=dev` install running a dist/ built elsewhere, by hand; test/compiled-server.test.ts
# for the compiled server).
#
#   docker build -t signet .
#   docker run -p 3000:3000 -v signet-data:/data -e SIGNET_PUBLIC_URL=http://localhost:3000 signet
#
# Two stages on the same Debian release, so the native SQLite module built in the first runs in
# the second:
#   build    all dependencies; compiles the server (tsc) and the dashboard (Vite) into dist/, and
#            makes a production-only node_modules (npm ci --omit=dev) with better-sqlite3 compiled
#            here, where Python, make and g++ are (the full node image has them).
#   runtime  node:*-slim with that node_modules, dist/, bin/ and package.json: no TypeScript, no
#            loader, no compiler, no dev dependency; runs as the unprivileged `node` user.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /signet
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (which builds) needs the sources, copied after this layer so that
# the dependency layer is reused while only sources change. Building needs no install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
RUN npm run build

# Production dependencies only. Of the two SQLite bindings only the one this Node loads is built
# (src/store/sql/sqlite.ts: better-sqlite3 on Node 20, its Node-API build on Node 22 and later).
WORKDIR /prod
RUN cp /signet/package.json /signet/package-lock.json . \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && if [ "$(node -p 'Number(process.versions.node.split(".")[0]) >= 22')" = true ]; \
    then npm rebuild better-sqlite3-napi; else npm rebuild better-sqlite3; fi \
 && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    SIGNET_BIND=0.0.0.0 \
    SIGNET_DATA_DIR=/data
WORKDIR /app
COPY --from=build /prod/node_modules ./node_modules
COPY --from=build /signet/package.json ./
COPY --from=build /signet/bin ./bin
COPY --from=build /signet/dist ./dist
# /data holds the embedded SQLite database and, when SIGNET_MASTER_KEY is not set, the generated
# master key (mode 0600): keep it on a volume, and back it up.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /healthz answers while the process is alive (on any Host). Plain HTTP: with SIGNET_TLS_CERT set
# Signet serves HTTPS, so change the URL (and accept its certificate) or put TLS in a proxy.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# bin/signet.js runs dist/server with plain node (there is no src/ here to compare it with).
# SIGTERM (docker stop) is handled by Signet: it stops accepting, lets in-flight requests finish
# for up to SIGNET_SHUTDOWN_TIMEOUT (10 s), closes the database and exits 0; Docker's own grace
# period is 10 s too, so stop with `docker stop -t 15` (compose.yaml sets stop_grace_period).
CMD ["node", "bin/signet.js", "serve"]
