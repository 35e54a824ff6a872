import { defineConfig } from 'vitest/config';

// Cornerstone3D's DICOM image loader decodes in module workers that load codecs on demand: the workers are built as ES
// modules, and the loader is not pre-bundled in development (its worker URL must stay relative to its own file).
export default defineConfig({
  build: { target: 'es2022', chunkSizeWarningLimit: 8000, rolldownOptions: { input: ['index.html', 'graphiql.html'] } },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@cornerstonejs/dicom-image-loader'] },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
