// Import-graph rules checked by `npm run lint` (depcruise). Issue #18: dependencies point one way,
// so any import circle fails the lint. Type-only imports count too: a circle through `import type`
// costs nothing at run time, but it still ties two modules so that neither can be read, moved or
// tested without the other, which is what the rule is for.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import each other (directly or through others); make the dependency point one way.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|reports|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
