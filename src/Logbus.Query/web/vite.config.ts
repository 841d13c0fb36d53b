import { defineConfig } from "vite";

// `npm run dev` serves the UI with hot reload and sends API calls to the Query service that `./logbus up` starts.
const query = "http://localhost:8080";

export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // One small page: a single script and stylesheet are quicker to load than split chunks.
    cssCodeSplit: false,
    reportCompressedSize: true,
  },
  server: {
    proxy: { "/api": query },
  },
});
