/** Entry point of the `pathwise` command (built to dist/cli.js). */
import { main } from './main.js';

process.exit(await main(process.argv.slice(2)));
