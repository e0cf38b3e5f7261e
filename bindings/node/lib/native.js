'use strict';
// Loads the native addon built by `napi build --platform` for this machine:
// `routerkit.<platform>-<arch>[-<abi>].node` beside package.json, or the
// per-platform package `routerkit-<platform>-<arch>[-<abi>]` when installed.
const path = require('node:path');

function abi() {
  // napi-rs's platform names: win32-x64-msvc, darwin-arm64, linux-x64-gnu / linux-x64-musl.
  if (process.platform === 'win32') return '-msvc';
  if (process.platform !== 'linux') return '';
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
  const glibc = report && (report.header?.glibcVersionRuntime ?? (typeof report === 'string' ? null : undefined));
  return glibc ? '-gnu' : '-musl';
}

function load() {
  const triple = `${process.platform}-${process.arch}${abi()}`;
  const tried = [];
  for (const candidate of [path.join(__dirname, '..', `routerkit.${triple}.node`), `routerkit-${triple}`]) {
    try {
      return require(candidate);
    } catch (e) {
      if (e && e.code !== 'MODULE_NOT_FOUND' && !/cannot open shared object|no such file/i.test(String(e.message))) throw e;
      tried.push(candidate);
    }
  }
  throw new Error(
    `routerkit: no native binary for ${triple}. Tried:\n  ${tried.join('\n  ')}\n` +
      'Reinstall the package (rm -rf node_modules package-lock.json && npm install), or build it with `npx napi build --platform --release`.',
  );
}

module.exports = load();
