// Runs the `skillgate` CLI from source (TypeScript through tsx), for tools that spawn a command
// themselves (the MCP Inspector, MCP client configs in tests): `node skillgate-src.mjs mcp`.
import { register } from 'tsx/esm/api';

register();
await import('../../cli/run-cli-source.ts');
