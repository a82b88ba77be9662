# syntax=docker/dockerfile:1
# Container image of the marketplace operator's controller (see docs/operations.md).
#   docker build -t marketplace-operator:dev .
#   OPERATOR_IMAGE=marketplace-operator:dev npm run synth && kubectl apply --server-side -f dist/install/
# Three stages: compile TypeScript with every dependency, install production dependencies alone, and copy both into
# a distroless Node 20 runtime (no shell, no npm) that runs as a non-root user. Nothing is written at run time, so
# the pod runs with readOnlyRootFilesystem. test/unit/install/dist-build.test.ts replays the COPY/RUN lines of the
# build and runtime stages outside Docker (Docker cannot run on our build machines).

ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

# 1. build: compile to build/ (tsc, NodeNext; the same tsconfig.json as the type check).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# `npm ci`: exactly the committed lock (it lists every platform's optional packages), or the build fails.
RUN npm ci --no-audit --no-fund --ignore-scripts
# The sources the controller is built from (tsconfig.json's other include patterns then match nothing).
COPY tsconfig.json ./
COPY api/ api/
COPY charts/ charts/
COPY controllers/ controllers/
COPY imports/ imports/
RUN npm run build

# 2. deps: production dependencies only (no tsx, jest, cdk8s-cli, typescript).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

# 3. runtime: distroless Node 20 (same Debian 12 as the build stages), user nonroot = 65532:65532.
FROM ${RUNTIME_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# package.json is needed at run time: its "type": "module" makes Node load build/**/*.js as ES modules.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
# Only what controllers/run.js imports (the dist-build test checks this list against the import graph).
COPY --from=build /src/build/api ./build/api
COPY --from=build /src/build/charts ./build/charts
COPY --from=build /src/build/controllers ./build/controllers
COPY --from=build /src/build/imports ./build/imports
USER 65532:65532
EXPOSE 8080
# The distroless entrypoint is node itself.
CMD ["--enable-source-maps", "build/controllers/run.js"]
