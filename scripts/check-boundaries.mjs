// Package boundaries, enforced (the rules below): an import across a forbidden boundary fails `npm run lint`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// The tree to check: the repository, or another root given as the first argument (the lint's own test).
const root = process.argv[2] ?? new URL('..', import.meta.url).pathname;

/** What each part of the tree may import, besides relative paths inside itself. */
const rules = [
  {
    dir: 'packages/flow',
    allow: [/^zod(\/|$)/],
    why: 'packages/flow is pure: zod and small pure libraries only (no React, database, Node APIs)',
  },
  {
    dir: 'packages/db',
    allow: [
      /^@stepwise\/flow$/,
      /^drizzle-orm(\/|$)/,
      /^postgres$/,
      /^@electric-sql\/pglite(\/|$)/,
      /^zod(\/|$)/,
      /^node:/,
    ],
    why: 'packages/db may import packages/flow (types), drizzle and its drivers',
  },
  {
    dir: 'packages/api',
    allow: [
      /^@stepwise\/(flow|db)$/,
      /^bpmn-moddle$/,
      /^saxen$/,
      /^@trpc\/server(\/|$)/,
      /^drizzle-orm(\/|$)/,
      /^zod(\/|$)/,
      /^node:/,
    ],
    why: 'packages/api may import packages/flow, packages/db, tRPC and zod',
  },
  {
    dir: 'apps/web',
    allow: [
      /^@stepwise\/flow(\/vocabulary)?$/,
      /^react(-dom)?(\/|$)/,
      /^@xyflow\/react$/,
      /^@xyflow\/react\/dist\/style\.css$/,
      /^@dagrejs\/dagre$/,
      /^lucide-react$/,
      /^@trpc\/(client|tanstack-react-query)$/,
      /^@tanstack\/react-(query|virtual)$/,
      /^zustand(\/|$)/,
      /^zundo$/,
      /^sonner$/,
      /^recharts$/,
      /^react-markdown$/,
      /^remark-gfm$/,
      /^diff$/,
      /^react-router$/,
      /^zod(\/|$)/,
    ],
    typeOnly: [/^@stepwise\/api$/],
    why: 'apps/web may import packages/flow and `import type { AppRouter }` from packages/api',
  },
];

/** Tests beside the code may also use the test tools and read fixtures from disk. */
const testOnly = [/^vitest$/, /^fast-check$/, /^node:/, /^@testing-library\//];

const importRe =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function* files(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) yield path;
  }
}

const problems = [];
for (const rule of rules) {
  for (const file of files(join(root, rule.dir))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[3] ?? m[4];
      const typeOnly = Boolean(m[2]);
      if (!spec || spec.startsWith('.')) continue;
      if (rule.allow.some((re) => re.test(spec))) continue;
      if (/\.test\.tsx?$/.test(file) && testOnly.some((re) => re.test(spec))) continue;
      if (typeOnly && rule.typeOnly?.some((re) => re.test(spec))) continue;
      problems.push(`${relative(root, file)}: import of '${spec}' crosses a boundary — ${rule.why}`);
    }
  }
}
// Relative imports must not climb out of a package either.
for (const rule of rules) {
  for (const file of files(join(root, rule.dir))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[3] ?? m[4];
      if (!spec?.startsWith('.')) continue;
      const target = relative(root, join(file, '..', spec));
      if (!target.startsWith(rule.dir))
        problems.push(`${relative(root, file)}: relative import '${spec}' leaves ${rule.dir}`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} boundary violation(s).`);
  process.exit(1);
}
console.log('Package boundaries: clean.');
