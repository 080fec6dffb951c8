/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

const backend = 'http://127.0.0.1:8080'

// The build empties web/dist, but dist/.gitkeep is tracked in git so that
// the Go embed directive always has a directory to embed. Emit it again as
// part of every build so the working tree stays clean.
function keepDistPlaceholder(): Plugin {
  return {
    name: 'chatbridge:keep-dist-placeholder',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '.gitkeep', source: '' })
    },
  }
}

export default defineConfig({
  plugins: [vue(), keepDistPlaceholder()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
  },
  server: {
    proxy: {
      // Must come before /api: the first matching prefix wins.
      '/api/v1/ws': { target: backend, ws: true },
      '/api': { target: backend },
      '/webhooks': { target: backend },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.ts'],
    restoreMocks: true,
  },
})
