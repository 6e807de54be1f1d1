/**
 * Imported first by run.ts, so it is set before any AWS SDK client or logger is built: like `npm start`, the bench
 * runs on the machine's Node (20 or later; the stack's functions run on Node 24) and does not need the SDK's notice
 * about its future Node 22 minimum; the handlers' info logs (one per recap run …) would bury the figures.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
