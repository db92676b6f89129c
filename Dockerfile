# iso-cycle application image: Node 20 on Debian with Debian's Chromium for PDF rendering.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev
ENV NODE_ENV=production
EXPOSE 3000
CMD ["node", "bin/iso-cycle", "serve"]
