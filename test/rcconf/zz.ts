import { checkOne } from './property.ts';
const [file, op] = JSON.parse(process.argv[2]!);
try { await checkOne(file, op); console.log('holds'); } catch (e) { console.log('FAIL', (e as Error).message); }
