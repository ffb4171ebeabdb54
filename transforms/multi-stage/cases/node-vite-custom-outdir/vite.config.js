export default { build: { outDir: 'public' } }
