import { resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '../../bench/bundles.js';
import { bundlingOptions, repoRoot } from '../../infra/constructs/lambda-function.js';
import { pipeDefinition } from '../../infra/definitions/pipe.js';
import { routes } from '../../infra/definitions/routes.js';
import { rules } from '../../infra/definitions/rules.js';
import { schedules } from '../../infra/definitions/schedules.js';

/**
 * The functions granted a registration's personal data (`personalData` in infra/definitions) are the only
 * ones whose bundles hold the KMS client and the key caches (one that only makes MACs, the client alone):
 * every other function's event store has no codec (it refuses to write personal data or an erasure), so
 * it carries none of that code.
 */
const functions = [
  ...routes.map((route) => ({
    name: route.name,
    entry: route.entry,
    personalData: route.personalData,
    // A focal point's delegation token is a MAC of the server's secret, checked with KMS.
    makesMacs: route.checksDelegationTokens === true,
  })),
  ...rules.map((rule) => ({ name: rule.name, entry: rule.consumer, personalData: rule.personalData })),
  ...schedules.map((job) => ({ name: job.name, entry: job.entry, personalData: job.personalData })),
  { name: 'PipeEnrichment', entry: pipeDefinition.enrichment, personalData: undefined },
];

/** The KMS client and the data keys' cache (lru-cache alone no longer tells: the pipeline caches snapshots with it). */
const KEY_PACKAGES = ['node_modules/@aws-sdk/client-kms/', 'functions/shared/personal-data/data-keys.ts'];
/**
 * A function that only makes MACs has the KMS client but no codec, so no cache of data keys: one granted
 * `mac`, and every command (its stored Idempotency-Key responses are keyed by a MAC of the server's secret).
 */
const MAC_PACKAGES = ['node_modules/@aws-sdk/client-kms/'];

describe('personal-data code in the bundles', () => {
  it('is declared by some functions and not by others', () => {
    expect(functions.filter((fn) => fn.personalData).length).toBeGreaterThan(0);
    expect(functions.filter((fn) => !fn.personalData).length).toBeGreaterThan(0);
  });

  it.each(functions)(
    '$name holds the key code exactly when it is granted personal data',
    async ({
      entry,
      personalData,
      makesMacs,
    }: {
      entry: string;
      personalData?: string;
      makesMacs?: boolean;
    }) => {
      const result = await build({
        ...esbuildOptionsOf(bundlingOptions, resolve(repoRoot, '.bundle-check', 'index.mjs')),
        entryPoints: [resolve(repoRoot, entry)],
        absWorkingDir: repoRoot,
        write: false,
      });
      const inputs = Object.keys((result.metafile as Metafile).inputs);
      const keyCode = KEY_PACKAGES.filter((pkg) => inputs.some((input) => input.includes(pkg)));
      // Commands that store Idempotency-Key responses key them with a MAC of the server's secret.
      const storesResponses = inputs.some((input) =>
        input.endsWith('functions/shared/event-store/idempotency.ts'),
      );
      const expected =
        personalData && personalData !== 'mac'
          ? KEY_PACKAGES
          : personalData === 'mac' || storesResponses || makesMacs
            ? MAC_PACKAGES
            : [];
      expect(keyCode).toEqual(expected);
    },
    60_000,
  );
});
