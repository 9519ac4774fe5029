import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type Stage, settingsOf } from '../stage.js';
import { acknowledge } from './nag.js';

/** The repository root: `entry` paths in `infra/definitions` are relative to it. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The AWS SDK's default credential chain reads the environment first, and Lambda always puts the
 * function's role credentials there (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the
 * chain's later links (profiles and SSO, credential processes, web identity, container and instance
 * metadata) are never reached in a function. The SDK loads each of them with a dynamic `import()` only
 * when it gets there; left out of the bundles, they save about 80 KB of code per function that uses
 * the SDK. Were one ever reached, the import would fail with "Cannot find package" rather than
 * silently use other credentials.
 */
export const credentialSourcesLambdaNeverUses = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
  '@smithy/credential-provider-imds',
];

/**
 * Modules the bundles take from this repository instead of a dependency's, by esbuild's `alias` (paths
 * relative to the repository root, where CDK runs esbuild). fontkit, pdfkit's font engine, imports the
 * `brotli` package's 475 KB asm.js decoder at load for WOFF2 fonts; Node has Brotli built in.
 */
export const moduleSubstitutes: Record<string, string> = {
  'brotli/decompress.js': './functions/shared/documents/brotli-decompress.ts',
};

/**
 * How every function is bundled (by the local esbuild): one minified ESM file for Node 24 with the AWS SDK
 * inside (tree-shaken), and a `require` for the CommonJS dependencies. `npm run bench:bundles` bundles with
 * these very options to measure sizes and start-up times.
 */
export const bundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  externalModules: [...credentialSourcesLambdaNeverUses],
  esbuildArgs: Object.fromEntries(
    Object.entries(moduleSubstitutes).map(([module, substitute]) => [`--alias:${module}`, substitute]),
  ),
  forceDockerBundling: false,
} satisfies BundlingOptions;

/** What the function serves; it sets the timeout. */
export type FunctionKind = 'http' | 'consumer' | 'scheduled';

export const functionTimeouts: Record<FunctionKind, Duration> = {
  // API Gateway HTTP APIs give up after 30 s; a command that needs more than 10 s is broken anyway.
  http: Duration.seconds(10),
  // Batch consumers process up to 10 messages and may read the event store to fill gaps.
  consumer: Duration.seconds(30),
  // A daily job over many registrations; it stops itself 30 s before this and goes on the next day.
  scheduled: Duration.minutes(15),
};

export interface LambdaFunctionProps {
  stage: Stage;
  /** Handler module relative to the repository root; it exports `handler`. */
  entry: string;
  kind: FunctionKind;
  /** POWERTOOLS_SERVICE_NAME: the `service` dimension of its metrics and the `service` key of its logs. */
  serviceName: string;
  description?: string;
  environment?: Record<string, string>;
  /** Files (paths relative to the repository root) copied next to the bundle, for the handler to read. */
  files?: string[];
  /** Instead of 512 MB. */
  memorySize?: number;
  /** Instead of the kind's timeout. */
  timeout?: Duration;
  /**
   * Its execution role, made by the caller with AWSLambdaBasicExecutionRole (e.g. in another stack than
   * the function); default: a new role beside the function.
   */
  role?: IRole;
}

const shellQuoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * A Node.js 24 function on Graviton with the defaults every handler of this repository relies on:
 * an ESM bundle made by the local esbuild (AWS SDK v3 included, tree-shaken), source maps, X-Ray
 * tracing, Powertools settings and its own log group with a stage-dependent retention.
 */
export class LambdaFunction extends NodejsFunction {
  /** POWERTOOLS_SERVICE_NAME, for dashboards and alarms on its metrics. */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    const entry = resolve(repoRoot, props.entry);
    if (!existsSync(entry)) {
      throw new Error(`${id}: handler module ${props.entry} does not exist (resolved to ${entry})`);
    }
    const files = props.files ?? [];
    for (const file of files) {
      if (!existsSync(resolve(repoRoot, file))) throw new Error(`${id}: file ${file} does not exist`);
    }
    const settings = settingsOf(props.stage);
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    super(scope, id, {
      entry,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: resolve(repoRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? functionTimeouts[props.kind],
      tracing: Tracing.ACTIVE,
      logGroup,
      ...(props.role ? { role: props.role } : {}),
      ...(props.description ? { description: props.description } : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: settings.metricsNamespace,
        ...props.environment,
      },
      bundling: {
        ...bundlingOptions,
        ...(files.length > 0
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  files.map(
                    (file) => `cp ${shellQuoted(`${inputDir}/${file}`)} ${shellQuoted(`${outputDir}/`)}`,
                  ),
              },
            }
          : {}),
      },
    });
    this.serviceName = props.serviceName;
    if (this.role) {
      acknowledge(
        this.role,
        'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AWSLambdaBasicExecutionRole only allows writing CloudWatch Logs, which every function needs; ' +
          'the function logs to its own log group with a set retention.',
      );
      acknowledge(
        this.role,
        'IAM5[Resource::*]',
        'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
          'resource-level permissions; every other statement of this role names its resources.',
      );
    }
  }
}
