/**
 * The package's version, bundled into the CLI at build time (no file is read at run time, so it
 * is right wherever the CLI is installed or linked from).
 */
import packageJson from '../../package.json' with { type: 'json' };

/** The version of the tierguard package this CLI belongs to. */
export const VERSION: string = packageJson.version;

/** Flags that print the version, on every command. */
export const VERSION_FLAGS: readonly string[] = ['--version', '-v'];
