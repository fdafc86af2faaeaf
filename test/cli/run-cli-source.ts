// Runs the CLI from source (through tsx) exactly as bin/skillgate.js runs the built one.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
