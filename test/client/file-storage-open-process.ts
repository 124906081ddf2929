// Opens a fileStorage on argv[2] in a process of its own and prints what it claimed, as JSON, then
// saves nothing and exits: for tests whose regression would block the event loop for good (a FIFO).
import { fileStorage } from "../../client/index.js";

const claimed: string[] = [];
const writer = await fileStorage(process.argv[2]!).open((texts) => claimed.push(...texts));
await writer.save(undefined);
await writer.close();
process.stdout.write(JSON.stringify({ claimed }));
