# syntax=docker/dockerfile:1
# release-conductor: build with dev dependencies, ship with production ones only.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY src ./src
RUN npm run build

FROM node:24-slim AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the client is generated in the build stage, not by install scripts.
# --omit=optional: @prisma/client's optional peers (the prisma CLI with its dev server, TypeScript)
# are otherwise installed too: 418 MB of node_modules instead of 169 MB.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

FROM node:24-slim
# git (>= 2.25, for partial clones) runs dot releases: src/git/. ca-certificates for HTTPS remotes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# MALLOC_ARENA_MAX=2: as npm run start:prod sets it (README, "Memory"): glibc keeps one malloc arena per
# thread that allocates (libuv's pool, V8's); two hold the same work in about 3 MB less (npm run bench).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    PORT=3000 \
    DATA_DIR=/data \
    MIGRATE_ON_START=false
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY prisma/migrations ./prisma/migrations
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Migrations first (safe with several replicas: they take turns on an advisory lock), then the bot.
CMD ["sh", "-c", "node dist/cli.js migrate && exec node --max-old-space-size=96 --max-semi-space-size=2 --liftoff-only --no-maglev --no-sparkplug --v8-pool-size=1 dist/main.js"]
