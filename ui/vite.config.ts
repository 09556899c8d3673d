import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import solid from 'vite-plugin-solid'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [solid()],
  resolve: {
    // The dashboard talks to the server through the same public client a third party uses.
    alias: { 'tfdrift/client': fileURLToPath(new URL('../engine/client/index.ts', import.meta.url)) },
  },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 2048 },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } } },
})
