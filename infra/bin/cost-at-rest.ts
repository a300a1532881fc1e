#!/usr/bin/env node
// Prints the rough monthly cost at rest of a synthesized template (lib/cost.ts):
//   node --import tsx bin/cost-at-rest.ts cdk.out/Facelens.template.json
import * as fs from 'node:fs';
import { formatCost } from '../lib/cost';

const file = process.argv[2];
if (!file) {
  console.error('usage: cost-at-rest <template.json>');
  process.exit(2);
}
console.log(formatCost(JSON.parse(fs.readFileSync(file, 'utf8'))));
