import type { AppRouter } from '@stepwise/api';
import type { inferOutput, TRPCOptionsProxy } from '@trpc/tanstack-react-query';

type Api = TRPCOptionsProxy<AppRouter>;

export type Comparison = inferOutput<Api['versions']['compare']>;
export type MigrationPreview = inferOutput<Api['versions']['previewMigration']>;
export type MigrationResult = inferOutput<Api['versions']['applyMigration']>;

/** How a node differs between the two sides of a comparison. */
export type DiffMark = 'added' | 'removed' | 'changed' | 'moved';
