# The agentcore-operator image, for linux/amd64 and linux/arm64:
#   docker buildx build --platform linux/amd64,linux/arm64 -t agentcore-operator .
# TypeScript is compiled once, on the builder's own platform (its output is plain JavaScript); the
# runtime stage of each platform gets the compiled output and the production dependencies only.

FROM --platform=$BUILDPLATFORM node:24.21.0-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Only tsc is needed here; the install scripts of dev dependencies (native test tooling) are not.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24.21.0-slim
LABEL org.opencontainers.image.title="agentcore-operator" \
      org.opencontainers.image.description="GitOps operator for Amazon Bedrock AgentCore" \
      org.opencontainers.image.source="https://github.com/agentcore-operator/agentcore-operator" \
      org.opencontainers.image.licenses="Apache-2.0"
# MALLOC_ARENA_MAX caps glibc's per-thread malloc arenas; V8's heap is tuned by `run` itself.
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY crds ./crds
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["run"]
