# syntax=docker/dockerfile:1
# Build stage: production dependencies only.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Runtime stage: the server, its dependencies and the demo clip, as a non-root user.
FROM oven/bun:1.4-debian
WORKDIR /app
# Bun's allocator keeps freed pages instead of purging them from a thread
# (docs/architecture.md, Runtimes).
ENV NODE_ENV=production PORT=8888 MIMALLOC_PURGE_DELAY=-1
COPY --from=deps /app/node_modules ./node_modules
COPY package.json bunfig.toml tsconfig.json ./
COPY src ./src
COPY routes ./routes
COPY assets ./assets
USER bun
# HTTP (HLS, API, web UI), RTSP, and RTP/RTCP over UDP to RTSP readers.
EXPOSE 8888 8554
EXPOSE 8000-8001/udp
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD bun -e "fetch('http://127.0.0.1:' + (process.env.PORT || 8888) + '/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["bun", "run", "src/main.ts"]
