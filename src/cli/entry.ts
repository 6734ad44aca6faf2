import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`affectlab: internal error: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
